package io.github.ldm4j.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.ldm4j.quarkus.runtime.TaskRegistry;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.net.URI;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A progress stream opened for a task id whose request has not come yet, then closed by its client,
 * gives its pending place back at once (not after the request timeout); the id still works for a
 * later request.
 */
@QuarkusTest
@QuarkusTestResource(ShapesModelResource.class)
class AbandonedTaskStreamTest {

  @TestHTTPResource("/") URI base;

  @Inject TaskRegistry tasks;

  @Test
  void abandonedPendingIdIsDroppedAndStillUsable() throws Exception {
    String id = "abandoned-1";
    try (TaskStream stream = TaskStream.open(base, id)) {
      awaitKnown(id, true);
      assertThat(tasks.find(id).orElseThrow().isFinished()).isFalse();
    }
    awaitKnown(id, false);
    assertThat(tasks.subscribers()).isZero();

    try (TaskStream stream = TaskStream.open(base, id)) {
      HttpResponse<String> r = Http.post(base, "/v1/images/generations",
          "{\"prompt\":\"a red circle\",\"steps\":2,\"task_id\":\"" + id + "\"}");
      assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
      List<String> events = stream.rest().stream().map(e -> e.get("event").asText()).toList();
      assertThat(events).containsExactly("queued", "step", "step", "done");
    }
  }

  /** Waits (at most 30 s, else fails) until {@code id} is known ({@code known}) or not. */
  private void awaitKnown(String id, boolean known) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (tasks.find(id).isPresent() != known) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("task '" + id + "' is " + (known ? "still unknown" : "still known") + " after 30 s");
      }
      Thread.sleep(10);
    }
  }
}
