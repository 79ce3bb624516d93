package io.github.ldm4j.quarkus.deployment;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.ldm4j.generate.GenerationLimits;
import io.github.ldm4j.generate.GenerationRequest;
import io.github.ldm4j.generate.GenerationSettings;
import io.github.ldm4j.generate.Generator;
import io.github.ldm4j.generate.HiresFix;
import io.github.ldm4j.generate.HiresUpscaler;
import io.github.ldm4j.image.PngCodec;
import io.github.ldm4j.queue.testsupport.RedisServer;
import io.github.ldm4j.spi.BackendOptions;
import io.quarkus.test.QuarkusUnitTest;
import io.quarkus.test.common.http.TestHTTPResource;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code quarkus.ldm4j.queue.kind=redis} with {@code quarkus.ldm4j.worker.enabled=true} against a
 * real redis-server: the node queues its requests and consumes them as a worker of its own model;
 * {@code GET /ldm4j/workers} lists it; a model no worker serves is answered 503 {@code no_worker} at
 * once; the queue depth is exported; a hires-fix request runs on the worker (the demo model, any
 * size) and its image equals a local {@link Generator}'s.
 */
class RedisQueueWorkerNodeTest {

  /** One server for the JVM: QuarkusUnitTest loads this class twice, a per-class one would start twice. */
  private static final String REDIS = RedisServer.sharedUrl();

  @RegisterExtension
  static final QuarkusUnitTest APP = new QuarkusUnitTest()
      .withApplicationRoot(jar -> jar.addClass(TestModels.class))
      .overrideConfigKey("quarkus.ldm4j.model.path", TestModels.demoAnySize("shapes-any-redis-node"))
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
  void theHiresFixRunsThroughTheQueueAsOnALocalGenerator() throws Exception {
    HttpResponse<String> r = post("{\"prompt\":\"a red circle\",\"size\":\"64x64\",\"steps\":3,\"seed\":7,"
        + "\"hires_scale\":2,\"hires_steps\":2,\"hires_strength\":0.6}");
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    String b64 = new ObjectMapper().readTree(r.body()).get("data").get(0).get("b64_json").asText();
    PngCodec.Decoded queued = PngCodec.decode(Base64.getDecoder().decode(b64), 1 << 24);
    assertThat(new int[] {queued.image().width(), queued.image().height()}).containsExactly(128, 128);
    assertThat(queued.parameters().orElseThrow()).contains("Size: 64x64,", "Hires upscale: 2,", "Hires steps: 2,");
    GenerationRequest same = new GenerationRequest.TextToImage("a red circle", "",
        GenerationSettings.builder().size(64, 64).steps(3).seed(7).build(),
        Optional.of(new HiresFix(new HiresFix.Scale(2), HiresUpscaler.LATENT, 2, 0.6)));
    try (Generator local = Generator.open(Path.of(TestModels.demoAnySize("shapes-any-redis-node")), "onnx",
        BackendOptions.DEFAULTS, GenerationLimits.DEFAULTS)) {
      assertThat(queued.image().rgb()).isEqualTo(local.generate(same).images().getFirst().image().rgb());
    }
  }

  @Test
  void aModelNoWorkerServesIsAnswered503AtOnce() throws Exception {
    HttpResponse<String> r = post("{\"prompt\":\"a red circle\",\"model\":\"nobody\",\"size\":\"128x128\"}");
    assertThat(r.statusCode()).as(r.body()).isEqualTo(503);
    assertThat(r.body()).contains("\"no_worker\"").contains("'nobody'");
    assertThat(r.headers().firstValue("Retry-After")).isPresent();
  }
}
