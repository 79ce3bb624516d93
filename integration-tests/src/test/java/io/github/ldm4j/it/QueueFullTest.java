package io.github.ldm4j.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;

/**
 * With one generation running and a queue of two (application.properties), the fourth request and
 * every later one get 429 with Retry-After; the accepted three succeed once they may run. The
 * running generation is held by the {@link GateSampler}, so the queue is full whatever the
 * machine's speed.
 */
@QuarkusTest
@QuarkusTestResource(ShapesModelResource.class)
class QueueFullTest extends GatedHttpTest {

  private static final int RUNNING = 1; // quarkus.ldm4j.limits.concurrent-generations
  private static final int QUEUE = 2; // quarkus.ldm4j.limits.queue-length
  private static final int BURST = 5;

  private HttpResponse<String> gated(String taskId) {
    return Http.post(base, "/v1/images/generations", "{\"prompt\":\"a red circle\",\"steps\":10,\"sampler\":\""
        + GateSampler.NAME + "\",\"seed\":1,\"task_id\":\"" + taskId + "\"}");
  }

  @Test
  void fullQueueAnswers429WithRetryAfter() throws Exception {
    try (ExecutorService pool = Executors.newFixedThreadPool(RUNNING + QUEUE + BURST);
        TaskStream first = TaskStream.open(base, "qf-0")) {
      List<CompletableFuture<HttpResponse<String>>> accepted = new ArrayList<>();
      accepted.add(CompletableFuture.supplyAsync(() -> gated("qf-0"), pool));
      GateSampler.allow(1);
      first.untilStep(1); // the only slot is taken, held before step 2
      for (int i = 1; i <= QUEUE; i++) {
        String id = "qf-" + i;
        accepted.add(CompletableFuture.supplyAsync(() -> gated(id), pool));
      }
      Http.awaitJobs(base, RUNNING + QUEUE); // the queue is full

      List<CompletableFuture<HttpResponse<String>>> burst = new ArrayList<>();
      for (int i = 0; i < BURST; i++) {
        String id = "qf-burst-" + i;
        burst.add(CompletableFuture.supplyAsync(() -> gated(id), pool));
      }
      List<HttpResponse<String>> rejected = burst.stream().map(CompletableFuture::join).toList();
      assertThat(rejected).allSatisfy(r -> {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(429);
        assertThat(r.headers().firstValue("Retry-After")).contains("5");
        assertThat(Http.json(r).get("error").get("type").asText()).isEqualTo("rate_limit_error");
      });

      GateSampler.openFully();
      assertThat(accepted.stream().map(CompletableFuture::join).toList())
          .allSatisfy(r -> assertThat(r.statusCode()).as(r.body()).isEqualTo(200));
    }
  }
}
