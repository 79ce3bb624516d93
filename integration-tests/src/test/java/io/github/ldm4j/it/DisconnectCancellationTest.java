package io.github.ldm4j.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.ldm4j.demo.ShapeColour;
import io.github.ldm4j.demo.ShapeKind;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A client that closes its connection cancels its generation: a running one stops at its next step,
 * a queued one never runs, the slot serves the next request, and {@code
 * ldm4j.cancelled{reason="disconnect"}} counts them. Observed through the task's progress stream.
 * The generations use the {@link GateSampler}, so the test decides how many steps run before the
 * disconnect: no dependence on the machine's speed.
 */
@QuarkusTest
@QuarkusTestResource(ShapesModelResource.class)
class DisconnectCancellationTest extends GatedHttpTest {

  /** Steps of a gated request (it never gets to run them all). */
  static final int STEPS = 20;

  /** Steps a running generation is allowed before its client disconnects. */
  static final int ALLOWED = 2;

  /** The four generation endpoints, each with a gated request naming its task. */
  enum Endpoint {
    GENERATIONS, EDITS, TXT2IMG, IMG2IMG;

    RawRequest send(URI base, String taskId) throws IOException {
      String init = Base64.getEncoder().encodeToString(ImageEditsTest.datasetPng(ShapeColour.RED, ShapeKind.CIRCLE));
      return switch (this) {
        case GENERATIONS -> RawRequest.postJson(base, "/v1/images/generations",
            "{\"prompt\":\"a red circle\",\"steps\":" + STEPS + ",\"sampler\":\"" + GateSampler.NAME + "\",\"seed\":1,"
                + "\"task_id\":\"" + taskId + "\"}");
        case EDITS -> RawRequest.post(base, "/v1/images/edits", "multipart/form-data; boundary=" + ImageEditsTest.BOUNDARY,
            ImageEditsTest.multipartBody(Map.of("prompt", "a red circle", "strength", "1", "steps", "" + STEPS,
                "sampler", GateSampler.NAME, "task_id", taskId), Map.of("image", ImageEditsTest.datasetPng(ShapeColour.BLUE, ShapeKind.SQUARE))));
        case TXT2IMG -> RawRequest.postJson(base, "/sdapi/v1/txt2img",
            "{\"prompt\":\"a red circle\",\"steps\":" + STEPS + ",\"sampler_name\":\"" + GateSampler.NAME + "\","
                + "\"force_task_id\":\"" + taskId + "\"}");
        case IMG2IMG -> RawRequest.postJson(base, "/sdapi/v1/img2img", "{\"prompt\":\"a red circle\",\"steps\":" + STEPS
            + ",\"sampler_name\":\"" + GateSampler.NAME + "\",\"denoising_strength\":1.0,\"init_images\":[\"" + init + "\"],\"force_task_id\":\"" + taskId + "\"}");
      };
    }
  }

  @ParameterizedTest
  @EnumSource(Endpoint.class)
  void runningGenerationStopsWhenItsClientDisconnects(Endpoint endpoint) throws Exception {
    double before = cancelledByDisconnect();
    String id = "dc-run-" + endpoint.name().toLowerCase();
    try (TaskStream stream = TaskStream.open(base, id)) {
      RawRequest request = endpoint.send(base, id);
      GateSampler.allow(ALLOWED);
      List<JsonNode> all = new ArrayList<>(stream.untilStep(ALLOWED)); // now held before step ALLOWED + 1
      request.close();
      all.addAll(stream.rest());
      assertThat(all.stream().map(e -> e.get("event").asText()).toList())
          .as("queued, exactly the %d allowed steps, then the end", ALLOWED)
          .isEqualTo(Stream.of(Stream.of("queued"), Collections.nCopies(ALLOWED, "step").stream(), Stream.of("cancelled"))
              .flatMap(e -> e).toList());
      assertThat(all.subList(1, 1 + ALLOWED).stream().map(e -> e.get("step").asInt()).toList())
          .isEqualTo(oneTo(ALLOWED));
      assertThat(all.getLast().get("reason").asText()).isEqualTo("disconnect");
    }
    assertNextRequestIsServed();
    assertThat(cancelledByDisconnect()).isEqualTo(before + 1);
  }

  @Test
  void queuedRequestWhoseClientDisconnectsNeverRuns() throws Exception {
    double before = cancelledByDisconnect();
    try (TaskStream running = TaskStream.open(base, "dc-first"); TaskStream queued = TaskStream.open(base, "dc-queued")) {
      RawRequest first = Endpoint.GENERATIONS.send(base, "dc-first");
      GateSampler.allow(1);
      running.untilStep(1); // the only generation slot is taken, held before step 2
      RawRequest second = Endpoint.GENERATIONS.send(base, "dc-queued");
      assertThat(queued.next().get("event").asText()).isEqualTo("queued");
      second.close();
      List<JsonNode> rest = queued.rest();
      assertThat(rest).as("a queued generation whose client left never runs").hasSize(1);
      assertThat(rest.getFirst().get("event").asText()).isEqualTo("cancelled");
      assertThat(rest.getFirst().get("reason").asText()).isEqualTo("disconnect");
      first.close();
      List<JsonNode> firstRest = running.rest();
      assertThat(firstRest).as("the running one did no step after the first").hasSize(1);
      assertThat(firstRest.getFirst().get("event").asText()).isEqualTo("cancelled");
      assertThat(firstRest.getFirst().get("reason").asText()).isEqualTo("disconnect");
    }
    assertNextRequestIsServed();
    assertThat(cancelledByDisconnect()).isEqualTo(before + 2);
  }

  @Test
  void cancelledHttpClientRequestCancelsItsGeneration() throws Exception {
    double before = cancelledByDisconnect();
    HttpClient client = HttpClient.newHttpClient(); // HTTP/2 (h2c) where the server agrees: a stream reset
    try (TaskStream stream = TaskStream.open(base, "dc-client")) {
      CompletableFuture<HttpResponse<String>> call = client.sendAsync(HttpRequest.newBuilder(
          base.resolve("/v1/images/generations")).header("Content-Type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofString("{\"prompt\":\"a red circle\",\"steps\":" + STEPS
              + ",\"sampler\":\"" + GateSampler.NAME + "\",\"task_id\":\"dc-client\"}")).build(),
          HttpResponse.BodyHandlers.ofString());
      GateSampler.allow(ALLOWED);
      stream.untilStep(ALLOWED);
      call.cancel(true);
      List<JsonNode> rest = stream.rest();
      assertThat(rest).as("no step after the %d allowed ones", ALLOWED).hasSize(1);
      assertThat(rest.getLast().get("event").asText()).isEqualTo("cancelled");
      assertThat(rest.getLast().get("reason").asText()).isEqualTo("disconnect");
    }
    assertNextRequestIsServed();
    assertThat(cancelledByDisconnect()).isEqualTo(before + 1);
  }

  private void assertNextRequestIsServed() {
    HttpResponse<String> r = Http.post(base, "/v1/images/generations", "{\"prompt\":\"a red circle\",\"steps\":2}");
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
  }

  private double cancelledByDisconnect() {
    return Http.get(base, "/q/metrics").body().lines()
        .filter(l -> l.startsWith("ldm4j_cancelled_total{") && l.contains("reason=\"disconnect\""))
        .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
  }

  static List<Integer> oneTo(int n) {
    return IntStream.rangeClosed(1, n).boxed().toList();
  }
}
