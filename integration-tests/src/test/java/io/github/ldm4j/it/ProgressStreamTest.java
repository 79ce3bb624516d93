package io.github.ldm4j.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * {@code GET /ldm4j/progress} streams every step of a generation, in order, as Server-Sent Events.
 * The global stream has no replay, so the generation is held at the {@link GateSampler} and let
 * through one step at a time until the stream has shown one: from then on every step must arrive,
 * consecutively, to the last.
 */
@QuarkusTest
@QuarkusTestResource(ShapesModelResource.class)
class ProgressStreamTest extends GatedHttpTest {

  private static final int STEPS = 20;

  @Test
  void stepsArriveInOrder() throws Exception {
    HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    HttpResponse<Stream<String>> sse = client.sendAsync(HttpRequest.newBuilder(base.resolve("/ldm4j/progress"))
        .header("Accept", "text/event-stream").GET().build(), HttpResponse.BodyHandlers.ofLines())
        .get(30, TimeUnit.SECONDS);
    assertThat(sse.statusCode()).isEqualTo(200);
    BlockingQueue<JsonNode> global = new LinkedBlockingQueue<>();
    Thread reader = Thread.ofVirtual().start(() -> {
      try {
        sse.body().filter(l -> l.startsWith("data:")).forEach(l -> global.add(parse(l.substring(5).trim())));
      } catch (RuntimeException e) {
        // closed by the test
      }
    });
    try (TaskStream task = TaskStream.open(base, "ps-order")) {
      CompletableFuture<HttpResponse<String>> response = CompletableFuture.supplyAsync(() -> Http.post(base,
          "/v1/images/generations", "{\"prompt\":\"a red circle\",\"steps\":" + STEPS + ",\"sampler\":\""
              + GateSampler.NAME + "\",\"scheduler\":\"karras\",\"task_id\":\"ps-order\"}"));
      // one step at a time until the global stream has shown a step (it is live from then on)
      int step = 0;
      while (global.isEmpty()) {
        assertThat(step).as("the global stream showed none of the first steps").isLessThan(STEPS - 2);
        GateSampler.allow(1);
        task.untilStep(++step);
      }
      GateSampler.openFully();
      assertThat(response.get(60, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
      List<JsonNode> got = new ArrayList<>();
      do {
        JsonNode e = global.poll(60, TimeUnit.SECONDS);
        assertThat(e).as("global progress after %s", got).isNotNull();
        got.add(e);
      } while (got.getLast().get("step").asInt() < STEPS);
      int first = got.getFirst().get("step").asInt();
      assertThat(first).isLessThanOrEqualTo(step);
      assertThat(got.stream().map(e -> e.get("step").asInt()).toList())
          .isEqualTo(IntStream.rangeClosed(first, STEPS).boxed().toList());
      assertThat(got).allSatisfy(e -> {
        assertThat(e.get("total").asInt()).isEqualTo(STEPS);
        assertThat(e.get("job").asLong()).isEqualTo(got.getFirst().get("job").asLong());
      });
      for (int i = 1; i < got.size(); i++) {
        assertThat(got.get(i).get("sigma").asDouble()).isLessThan(got.get(i - 1).get("sigma").asDouble());
      }
    } finally {
      sse.body().close();
      reader.interrupt();
    }
  }

  private static JsonNode parse(String json) {
    try {
      return Http.JSON.readTree(json);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
