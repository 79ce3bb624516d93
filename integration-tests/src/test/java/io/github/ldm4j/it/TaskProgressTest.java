package io.github.ldm4j.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * {@code GET /ldm4j/progress/{taskId}}: one task's events (queued, steps 1..N, one terminal event),
 * early and late subscribers, id validation (400) and ids in flight (409).
 */
@QuarkusTest
@QuarkusTestResource(ShapesModelResource.class)
class TaskProgressTest extends GatedHttpTest {

  private HttpResponse<String> generate(String taskId, int steps) {
    return Http.post(base, "/v1/images/generations",
        "{\"prompt\":\"a red circle\",\"steps\":" + steps + ",\"seed\":3,\"task_id\":\"" + taskId + "\"}");
  }

  /** Asserts queued, steps 1..n of task {@code id}, then done, and nothing after. */
  private static void assertCompleteRun(List<JsonNode> events, String id, int n) {
    assertThat(events).hasSize(n + 2);
    assertThat(events).allSatisfy(e -> assertThat(e.get("task_id").asText()).isEqualTo(id));
    assertThat(events.getFirst().get("event").asText()).isEqualTo("queued");
    List<JsonNode> steps = events.subList(1, n + 1);
    assertThat(steps).allSatisfy(e -> {
      assertThat(e.get("event").asText()).isEqualTo("step");
      assertThat(e.get("total").asInt()).isEqualTo(n);
    });
    assertThat(steps.stream().map(e -> e.get("step").asInt()).toList()).isEqualTo(DisconnectCancellationTest.oneTo(n));
    assertThat(steps.getFirst().get("sigma").asDouble()).isGreaterThan(steps.getLast().get("sigma").asDouble());
    assertThat(events.getLast().get("event").asText()).isEqualTo("done");
  }

  @Test
  void earlySubscriberGetsQueuedStepsInOrderThenDone() throws Exception {
    try (TaskStream stream = TaskStream.open(base, "tp-early")) {
      HttpResponse<String> r = generate("tp-early", 5);
      assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
      assertCompleteRun(stream.rest(), "tp-early", 5);
    }
  }

  @Test
  void twoConcurrentTasksDoNotMix() throws Exception {
    try (TaskStream a = TaskStream.open(base, "tp-a"); TaskStream b = TaskStream.open(base, "tp-b")) {
      CompletableFuture<HttpResponse<String>> ra = CompletableFuture.supplyAsync(() -> generate("tp-a", 4));
      CompletableFuture<HttpResponse<String>> rb = CompletableFuture.supplyAsync(() -> generate("tp-b", 6));
      assertThat(ra.join().statusCode()).as(ra.join().body()).isEqualTo(200);
      assertThat(rb.join().statusCode()).as(rb.join().body()).isEqualTo(200);
      assertCompleteRun(a.rest(), "tp-a", 4);
      assertCompleteRun(b.rest(), "tp-b", 6);
    }
  }

  @Test
  void lateSubscriberGetsTheReplayAndTheIdMayBeReusedOnceFinished() throws Exception {
    assertThat(generate("tp-late", 3).statusCode()).isEqualTo(200);
    try (TaskStream stream = TaskStream.open(base, "tp-late")) {
      assertCompleteRun(stream.rest(), "tp-late", 3);
    }
    assertThat(generate("tp-late", 2).statusCode()).isEqualTo(200);
    try (TaskStream stream = TaskStream.open(base, "tp-late")) {
      assertCompleteRun(stream.rest(), "tp-late", 2);
    }
  }

  /** The latent-space preview (a base64 PNG) of the first image on step events, as the browser UI shows it. */
  private static int[] previewSize(JsonNode stepEvent) throws java.io.IOException {
    byte[] png = java.util.Base64.getDecoder().decode(stepEvent.get("preview").asText());
    java.awt.image.BufferedImage img = javax.imageio.ImageIO.read(new java.io.ByteArrayInputStream(png));
    assertThat(img).as("the preview decodes as a PNG").isNotNull();
    return new int[] {img.getWidth(), img.getHeight()};
  }

  @Test
  void stepEventsCarryAPreviewAndTheReplayKeepsOnlyTheLatest() throws Exception {
    try (TaskStream stream = TaskStream.open(base, "tp-preview")) {
      assertThat(generate("tp-preview", 4).statusCode()).isEqualTo(200);
      List<JsonNode> steps = stream.rest().subList(1, 5);
      for (JsonNode step : steps) {
        // at latent resolution: an eighth of the image size
        assertThat(previewSize(step)).as("live step %s", step.get("step")).containsExactly(ShapesModelResource.SIZE / 8, ShapesModelResource.SIZE / 8);
      }
    }
    try (TaskStream late = TaskStream.open(base, "tp-preview")) {
      List<JsonNode> steps = late.rest().subList(1, 5);
      assertThat(steps.subList(0, 3)).as("replayed older steps").allSatisfy(e -> assertThat(e.has("preview")).isFalse());
      assertThat(previewSize(steps.get(3))).as("the latest step keeps its preview").containsExactly(ShapesModelResource.SIZE / 8, ShapesModelResource.SIZE / 8);
    }
  }

  /** A request refused with a 4xx before it began ends the streams waiting for its id at once. */
  @Test
  void aRefusedRequestEndsTheStreamsWaitingForItsId() throws Exception {
    try (TaskStream openAi = TaskStream.open(base, "tp-refused");
        TaskStream a1111 = TaskStream.open(base, "tp-refused-a")) {
      HttpResponse<String> r = Http.post(base, "/v1/images/generations",
          "{\"prompt\":\"a red circle\",\"n\":0,\"task_id\":\"tp-refused\"}");
      assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
      List<JsonNode> events = openAi.rest();
      assertThat(events).hasSize(1);
      assertThat(events.getFirst().get("event").asText()).isEqualTo("failed");
      assertThat(events.getFirst().get("message").asText()).contains("refused", "'n' must be in [1,");
      HttpResponse<String> a = Http.post(base, "/sdapi/v1/txt2img",
          "{\"prompt\":\"a red circle\",\"sampler_name\":\"magic\",\"force_task_id\":\"tp-refused-a\"}");
      assertThat(a.statusCode()).as(a.body()).isEqualTo(400);
      assertThat(a1111.rest()).singleElement().satisfies(e -> {
        assertThat(e.get("event").asText()).isEqualTo("failed");
        assertThat(e.get("message").asText()).contains("magic");
      });
    }
    assertThat(generate("tp-refused", 2).statusCode()).as("the id is free again").isEqualTo(200);
  }

  @Test
  void malformedTaskIdsAre400() {
    HttpResponse<String> openAi = generate("no spaces!", 2);
    assertThat(openAi.statusCode()).as(openAi.body()).isEqualTo(400);
    assertThat(Http.json(openAi).get("error").get("param").asText()).isEqualTo("task_id");
    HttpResponse<String> a1111 = Http.post(base, "/sdapi/v1/txt2img",
        "{\"prompt\":\"a red circle\",\"steps\":2,\"force_task_id\":\"" + "x".repeat(65) + "\"}");
    assertThat(a1111.statusCode()).as(a1111.body()).isEqualTo(400);
    assertThat(Http.json(a1111).get("error").get("param").asText()).isEqualTo("force_task_id");
    HttpResponse<String> sse = Http.get(base, "/ldm4j/progress/bad%24id");
    assertThat(sse.statusCode()).as(sse.body()).isEqualTo(400);
    assertThat(Http.json(sse).get("error").get("type").asText()).isEqualTo("invalid_request_error");
  }

  @Test
  void anIdInFlightIs409AndA1111ProgressNamesTheRunningTask() throws Exception {
    try (TaskStream stream = TaskStream.open(base, "tp-dup")) {
      RawRequest running = DisconnectCancellationTest.Endpoint.TXT2IMG.send(base, "tp-dup"); // gated
      GateSampler.allow(1);
      stream.untilStep(1); // held before step 2: in flight until its client leaves
      JsonNode progress = Http.json(Http.get(base, "/sdapi/v1/progress"));
      assertThat(progress.get("current_task").asText()).isEqualTo("tp-dup");
      assertThat(progress.get("state").get("sampling_steps").asInt()).isEqualTo(DisconnectCancellationTest.STEPS);
      HttpResponse<String> dup = generate("tp-dup", 2);
      assertThat(dup.statusCode()).as(dup.body()).isEqualTo(409);
      assertThat(Http.json(dup).get("error").get("code").asText()).isEqualTo("task_in_flight");
      running.close();
      List<JsonNode> rest = stream.rest();
      assertThat(rest).hasSize(1);
      assertThat(rest.getFirst().get("event").asText()).isEqualTo("cancelled");
      assertThat(rest.getFirst().get("reason").asText()).isEqualTo("disconnect");
    }
    assertThat(generate("tp-after", 2).statusCode()).isEqualTo(200);
  }
}
