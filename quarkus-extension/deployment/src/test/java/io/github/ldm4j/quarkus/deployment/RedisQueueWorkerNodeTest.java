package io.github.ldm4j.quarkus.deployment;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.ldm4j.queue.testsupport.RedisServer;
import io.quarkus.test.QuarkusUnitTest;
import io.quarkus.test.common.http.TestHTTPResource;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code quarkus.ldm4j.queue.kind=redis} with {@code quarkus.ldm4j.worker.enabled=true} against a
 * real redis-server: the node queues its requests and consumes them as a worker of its own model;
 * {@code GET /ldm4j/workers} lists it; a model no worker serves is answered 503 {@code no_worker} at
 * once; the queue depth is exported.
 */
class RedisQueueWorkerNodeTest {

  /** One server for the JVM: QuarkusUnitTest loads this class twice, a per-class one would start twice. */
  private static final String REDIS = RedisServer.sharedUrl();

  @RegisterExtension
  static final QuarkusUnitTest APP = new QuarkusUnitTest()
      .withApplicationRoot(jar -> jar.addClass(TestModels.class))
      .overrideConfigKey("quarkus.ldm4j.model.path", TestModels.shapes128())
      .overrideConfigKey("quarkus.ldm4j.queue.kind", "redis")
      .overrideConfigKey("quarkus.ldm4j.queue.url", REDIS)
      .overrideConfigKey("quarkus.ldm4j.queue.heartbeat", "200MS")
      .overrideConfigKey("quarkus.ldm4j.worker.enabled", "true");

  @TestHTTPResource("/") URI base;

  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private HttpResponse<String> post(String body) throws Exception {
    return http.send(HttpRequest.newBuilder(base.resolve("/v1/images/generations"))
        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private String get(String path) throws Exception {
    return http.send(HttpRequest.newBuilder(base.resolve(path)).build(), HttpResponse.BodyHandlers.ofString()).body();
  }

  @Test
  void theNodeQueuesAndWorksItsOwnJobs() throws Exception {
    for (int i = 0; i < 100 && !get("/ldm4j/workers").contains("\"default\""); i++) {
      Thread.sleep(50);
    }
    assertThat(get("/ldm4j/workers")).contains("\"models\":[\"default\"]").contains("\"device\":\"cpu\"");
    HttpResponse<String> r = post("{\"prompt\":\"a red circle\",\"size\":\"128x128\",\"steps\":3,\"seed\":1}");
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(r.body()).contains("\"b64_json\"");
    assertThat(get("/q/health/ready")).contains("ldm4j-queue").doesNotContain("DOWN");
  }

  @Test
  void aModelNoWorkerServesIsAnswered503AtOnce() throws Exception {
    HttpResponse<String> r = post("{\"prompt\":\"a red circle\",\"model\":\"nobody\",\"size\":\"128x128\"}");
    assertThat(r.statusCode()).as(r.body()).isEqualTo(503);
    assertThat(r.body()).contains("\"no_worker\"").contains("'nobody'");
    assertThat(r.headers().firstValue("Retry-After")).isPresent();
  }
}
