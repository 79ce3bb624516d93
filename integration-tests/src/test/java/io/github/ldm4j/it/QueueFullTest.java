package io.github.ldm4j.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.net.URI;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;

/**
 * With one generation running and a queue of two (application.properties), a burst of eight long
 * requests gets at least one 429 with Retry-After; the accepted ones succeed.
 */
@QuarkusTest
@QuarkusTestResource(ShapesModelResource.class)
class QueueFullTest {

  @TestHTTPResource("/") URI base;

  @Test
  void fullQueueAnswers429WithRetryAfter() throws Exception {
    int burst = 8;
    CountDownLatch go = new CountDownLatch(1);
    List<CompletableFuture<HttpResponse<String>>> calls = new ArrayList<>();
    try (ExecutorService pool = Executors.newFixedThreadPool(burst)) {
      for (int i = 0; i < burst; i++) {
        calls.add(CompletableFuture.supplyAsync(() -> {
          try {
            go.await();
          } catch (InterruptedException e) {
            throw new IllegalStateException(e);
          }
          return Http.post(base, "/v1/images/generations", "{\"prompt\":\"a red circle\",\"steps\":150,\"seed\":1}");
        }, pool));
      }
      go.countDown();
      List<HttpResponse<String>> responses = calls.stream().map(CompletableFuture::join).toList();
      List<HttpResponse<String>> rejected = responses.stream().filter(r -> r.statusCode() == 429).toList();
      assertThat(rejected).isNotEmpty();
      assertThat(rejected.getFirst().headers().firstValue("Retry-After")).contains("5");
      assertThat(Http.json(rejected.getFirst()).get("error").get("type").asText()).isEqualTo("rate_limit_error");
      assertThat(responses).allSatisfy(r -> assertThat(r.statusCode()).isIn(200, 429));
      assertThat(responses.size() - rejected.size()).isBetween(1, 3);
    }
  }
}
