package io.github.ldm4j.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** {@code GET /ldm4j/progress} streams every step of a generation, in order, as Server-Sent Events. */
@QuarkusTest
@QuarkusTestResource(ShapesModelResource.class)
class ProgressStreamTest {

  @TestHTTPResource("/") URI base;

  @Test
  void stepsArriveInOrder() throws Exception {
    int steps = 6;
    HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    HttpResponse<Stream<String>> sse = client.sendAsync(HttpRequest.newBuilder(base.resolve("/ldm4j/progress"))
        .header("Accept", "text/event-stream").GET().build(), HttpResponse.BodyHandlers.ofLines())
        .get(30, TimeUnit.SECONDS);
    assertThat(sse.statusCode()).isEqualTo(200);
    CompletableFuture<List<JsonNode>> events = CompletableFuture.supplyAsync(() -> sse.body()
        .filter(l -> l.startsWith("data:"))
        .map(l -> {
          try {
            return Http.JSON.readTree(l.substring(5).trim());
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        })
        .limit(steps).toList());
    Thread.sleep(200); // let the subscription reach the server before the generation starts
    HttpResponse<String> r = Http.post(base, "/v1/images/generations",
        "{\"prompt\":\"a red circle\",\"steps\":" + steps + ",\"sampler\":\"euler\",\"scheduler\":\"karras\"}");
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    List<JsonNode> got = events.get(60, TimeUnit.SECONDS);
    assertThat(got.stream().map(e -> e.get("step").asInt()).toList())
        .isEqualTo(IntStream.rangeClosed(1, steps).boxed().toList());
    assertThat(got).allSatisfy(e -> {
      assertThat(e.get("totalSteps").asInt()).isEqualTo(steps);
      assertThat(e.get("job").asLong()).isEqualTo(got.getFirst().get("job").asLong());
    });
    assertThat(got.getFirst().get("sigma").asDouble()).isGreaterThan(got.getLast().get("sigma").asDouble());
    sse.body().close();
  }
}
