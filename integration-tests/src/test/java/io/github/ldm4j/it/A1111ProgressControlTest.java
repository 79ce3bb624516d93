package io.github.ldm4j.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.io.ByteArrayInputStream;
import java.net.http.HttpResponse;
import java.util.Base64;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

/**
 * {@code GET /sdapi/v1/progress} during and after a generation held at the {@link GateSampler}
 * (steps, ETA, the job state, the preview as {@code current_image}, the idle answer), and {@code POST
 * /sdapi/v1/interrupt} / {@code skip}: the running generation stops, the queued one goes on.
 */
@QuarkusTest
@QuarkusTestResource(ShapesModelResource.class)
class A1111ProgressControlTest extends GatedHttpTest {

  private static final int STEPS = 10;

  private CompletableFuture<HttpResponse<String>> txt2img(String taskId) {
    return CompletableFuture.supplyAsync(() -> Http.post(base, "/sdapi/v1/txt2img",
        "{\"prompt\":\"a red circle\",\"steps\":" + STEPS + ",\"seed\":4,\"sampler_name\":\"" + GateSampler.NAME
            + "\",\"force_task_id\":\"" + taskId + "\"}"));
  }

  /** Polls the progress until the running generation has done {@code step} steps (at most 30 s). */
  private JsonNode awaitStep(int step, String query) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (true) {
      JsonNode p = Http.json(Http.get(base, "/sdapi/v1/progress" + query));
      if (p.get("state").get("sampling_step").asInt() == step) {
        return p;
      }
      assertThat(System.nanoTime()).as("step %d reached within 30 s; last %s", step, p).isLessThan(deadline);
      Thread.sleep(10);
    }
  }

  private static void assertIdle(JsonNode p) {
    assertThat(p.get("progress").asDouble()).isZero();
    assertThat(p.get("eta_relative").asDouble()).isZero();
    assertThat(p.get("current_image").isNull()).isTrue();
    assertThat(p.get("current_task").isNull()).isTrue();
    JsonNode s = p.get("state");
    assertThat(s.get("job_count").asInt()).isZero();
    assertThat(s.get("job_no").asInt()).isZero();
    assertThat(s.get("sampling_step").asInt()).isZero();
    assertThat(s.get("sampling_steps").asInt()).isZero();
    assertThat(s.get("job_timestamp").asText()).isEqualTo("0");
    assertThat(s.get("interrupted").asBoolean()).isFalse();
    assertThat(s.get("skipped").asBoolean()).isFalse();
  }

  @Test
  void progressOfARunningGenerationThenTheIdleAnswer() throws Exception {
    assertIdle(Http.json(Http.get(base, "/sdapi/v1/progress")));
    CompletableFuture<HttpResponse<String>> r = txt2img("a1-progress");
    GateSampler.allow(4);
    JsonNode p = awaitStep(4, "");
    assertThat(p.get("progress").asDouble()).isEqualTo(0.4);
    assertThat(p.get("eta_relative").asDouble()).isPositive();
    assertThat(p.get("current_task").asText()).isEqualTo("a1-progress");
    JsonNode s = p.get("state");
    assertThat(s.get("job_count").asInt()).isEqualTo(1);
    assertThat(s.get("job_no").asInt()).isZero();
    assertThat(s.get("sampling_steps").asInt()).isEqualTo(STEPS);
    assertThat(s.get("job").asText()).isEqualTo("a1-progress");
    assertThat(s.get("job_timestamp").asText()).matches("\\d{14}");
    assertThat(s.get("interrupted").asBoolean()).isFalse();
    // the latent preview of the latest step: 1/8 of the 128 px image
    byte[] png = Base64.getDecoder().decode(p.get("current_image").asText());
    java.awt.image.BufferedImage preview = ImageIO.read(new ByteArrayInputStream(png));
    assertThat(preview.getWidth()).isEqualTo(16);
    assertThat(preview.getHeight()).isEqualTo(16);

    JsonNode skipped = Http.json(Http.get(base, "/sdapi/v1/progress?skip_current_image=true"));
    assertThat(skipped.get("current_image").isNull()).isTrue();
    assertThat(skipped.get("state").get("sampling_step").asInt()).isEqualTo(4);

    GateSampler.openFully();
    assertThat(r.get(30, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
    Http.awaitIdle(base);
    assertIdle(Http.json(Http.get(base, "/sdapi/v1/progress")));
  }

  @Test
  void interruptStopsTheRunningGenerationAndTheQueuedOneGoesOn() throws Exception {
    CompletableFuture<HttpResponse<String>> running = txt2img("a1-int-running");
    GateSampler.allow(2);
    awaitStep(2, "?skip_current_image=true");
    CompletableFuture<HttpResponse<String>> queued = txt2img("a1-int-queued");
    Http.awaitJobs(base, 2);

    HttpResponse<String> i = Http.post(base, "/sdapi/v1/interrupt", "");
    assertThat(i.statusCode()).isEqualTo(200);
    assertThat(i.body()).isEqualTo("{}");
    HttpResponse<String> stopped = running.get(30, TimeUnit.SECONDS);
    assertThat(stopped.statusCode()).isEqualTo(499);
    assertThat(Http.json(stopped).get("error").get("message").asText()).isEqualTo("cancelled: interrupted");

    assertThat(queued).isNotDone();
    GateSampler.openFully();
    HttpResponse<String> after = queued.get(30, TimeUnit.SECONDS);
    assertThat(after.statusCode()).as(after.body()).isEqualTo(200);
    assertThat(Http.json(after).get("images")).hasSize(1);
  }

  @Test
  void skipStopsTheRunningGeneration() throws Exception {
    CompletableFuture<HttpResponse<String>> running = txt2img("a1-skip");
    GateSampler.allow(1);
    awaitStep(1, "?skip_current_image=true");
    assertThat(Http.post(base, "/sdapi/v1/skip", "").statusCode()).isEqualTo(200);
    HttpResponse<String> stopped = running.get(30, TimeUnit.SECONDS);
    assertThat(stopped.statusCode()).isEqualTo(499);
    assertThat(Http.json(stopped).get("error").get("message").asText()).isEqualTo("cancelled: skipped");
  }

  @Test
  void interruptAndSkipWhenIdleAre200() {
    assertThat(Http.post(base, "/sdapi/v1/interrupt", "").statusCode()).isEqualTo(200);
    assertThat(Http.post(base, "/sdapi/v1/skip", "").statusCode()).isEqualTo(200);
    assertIdle(Http.json(Http.get(base, "/sdapi/v1/progress")));
  }
}
