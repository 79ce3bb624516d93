package io.github.ldm4j.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.ldm4j.demo.DemoModelCache;
import io.github.ldm4j.generate.GenerationLimits;
import io.github.ldm4j.generate.Generator;
import io.github.ldm4j.queue.JobQueue;
import io.github.ldm4j.queue.JobQueues;
import io.github.ldm4j.queue.QueueAddress;
import io.github.ldm4j.queue.QueueSettings;
import io.github.ldm4j.queue.QueueWorker;
import io.github.ldm4j.queue.testsupport.RedisServer;
import io.github.ldm4j.spi.BackendOptions;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The health endpoints of {@code ldm4j worker --health-port} against a real redis-server and a
 * worker on the demo model: readiness is down while the model opens, up once the worker consumes,
 * down while Redis is away and up again when it is back, down once the worker stopped; liveness is
 * up from the start until the worker stopped. The JSON is MicroProfile Health's shape.
 */
class WorkerHealthTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private HttpResponse<String> get(WorkerHealth health, String path) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + health.port() + path)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private JsonNode check(HttpResponse<String> r) throws Exception {
    JsonNode body = JSON.readTree(r.body());
    assertThat(body.get("checks")).hasSize(1);
    assertThat(body.get("checks").get(0).get("name").asText()).isEqualTo(WorkerHealth.CHECK);
    assertThat(body.get("checks").get(0).get("status").asText()).isEqualTo(body.get("status").asText());
    return body;
  }

  @Test
  void readinessFollowsTheModelsAndRedisAndLivenessTheWorker() throws Exception {
    System.setProperty("ldm4j.home", AppProcess.home().toString());
    try (RedisServer redis = RedisServer.start(); WorkerHealth health = WorkerHealth.start(0)) {
      HttpResponse<String> opening = get(health, "/q/health/ready");
      assertThat(opening.statusCode()).isEqualTo(503);
      assertThat(check(opening).get("checks").get(0).get("data").get("models").asText()).isEqualTo("opening");
      assertThat(get(health, "/q/health/live").statusCode()).isEqualTo(200);
      assertThat(get(health, "/q/health/other").statusCode()).isEqualTo(404);
      assertThat(http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + health.port() + "/q/health/ready"))
          .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString()).statusCode())
          .isEqualTo(405);
      try (Generator generator = Generator.open(DemoModelCache.ensure(), "onnx", BackendOptions.DEFAULTS,
              GenerationLimits.DEFAULTS);
          JobQueue queue = JobQueues.connect(QueueAddress.parse(redis.url()), QueueSettings.DEFAULTS)) {
        QueueWorker worker = queue.startWorker(Map.of("default", generator), "cpu");
        health.serving("default", queue, worker);
        HttpResponse<String> ready = get(health, "/q/health/ready");
        assertThat(ready.statusCode()).as(ready.body()).isEqualTo(200);
        JsonNode data = check(ready).get("checks").get(0).get("data");
        assertThat(data.get("models").asText()).isEqualTo("default");
        assertThat(data.get("worker").asText()).isEqualTo(worker.id());
        assertThat(data.get("queue").asText()).isEqualTo("available");
        assertThat(get(health, "/q/health").statusCode()).isEqualTo(200);

        redis.stop();
        HttpResponse<String> away = get(health, "/q/health/ready");
        assertThat(away.statusCode()).isEqualTo(503);
        assertThat(check(away).get("checks").get(0).get("data").get("queue").asText()).isEqualTo("unavailable");
        assertThat(get(health, "/q/health/live").statusCode()).as("Redis away is no reason to restart").isEqualTo(200);
        redis.restart();
        assertThat(get(health, "/q/health/ready").statusCode()).isEqualTo(200);

        worker.close();
        assertThat(get(health, "/q/health/ready").statusCode()).isEqualTo(503);
        HttpResponse<String> live = get(health, "/q/health/live");
        assertThat(live.statusCode()).isEqualTo(503);
        assertThat(check(live).get("checks").get(0).get("data").get("state").asText()).isEqualTo("stopped");
      }
    }
  }

  @Test
  void jsonStringsAreEscaped() {
    assertThat(WorkerHealth.escape("a\"b\\c\nd")).isEqualTo("a\\\"b\\\\c\\u000ad");
  }
}
