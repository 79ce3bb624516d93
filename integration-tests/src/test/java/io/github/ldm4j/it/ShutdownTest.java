package io.github.ldm4j.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.ldm4j.quarkus.runtime.GenerationService;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.net.URI;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Shutting the {@link GenerationService} down answers every accepted request at once: one running
 * and two queued generations (held by the {@link GateSampler}) all get 503 {@code shutting_down}
 * with the OpenAI body, their task streams end {@code cancelled} with reason {@code shutdown}, and
 * a later submission is refused with 503 too. Its own profile: the shut-down instance is discarded.
 */
@QuarkusTest
@QuarkusTestResource(ShapesModelResource.class)
@TestProfile(ShutdownTest.OwnInstance.class)
class ShutdownTest {

  /** An application instance of its own (the override only makes the profile distinct). */
  public static class OwnInstance implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      return Map.of("quarkus.ldm4j.tasks.retained", "100");
    }
  }

  @TestHTTPResource("/") URI base;

  @Inject GenerationService service;

  private static String gated(String taskId) {
    return "{\"prompt\":\"a red circle\",\"steps\":20,\"sampler\":\"" + GateSampler.NAME + "\",\"task_id\":\"" + taskId
        + "\"}";
  }

  @Test
  void shutdownAnswersEveryAcceptedRequestWith503() throws Exception {
    Http.awaitIdle(base);
    GateSampler.shut();
    List<String> ids = List.of("sd-running", "sd-queued-1", "sd-queued-2");
    List<TaskStream> streams = new ArrayList<>();
    try (ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor()) {
      List<CompletableFuture<HttpResponse<String>>> calls = new ArrayList<>();
      for (String id : ids) {
        streams.add(TaskStream.open(base, id));
        calls.add(CompletableFuture.supplyAsync(() -> Http.post(base, "/v1/images/generations", gated(id)), clients));
      }
      Http.awaitJobs(base, 3); // one running (held before its first step), two queued
      assertThat(service.queueDepth()).isEqualTo(2);

      service.shutdown();

      for (CompletableFuture<HttpResponse<String>> call : calls) {
        assertShuttingDown(call.get(30, TimeUnit.SECONDS));
      }
      for (TaskStream stream : streams) {
        JsonNode last = stream.rest().getLast();
        assertThat(last.get("event").asText()).as(last.toString()).isEqualTo("cancelled");
        assertThat(last.get("reason").asText()).isEqualTo("shutdown");
      }
      assertThat(service.isShutDown()).isTrue();
      assertShuttingDown(Http.post(base, "/v1/images/generations", "{\"prompt\":\"a red circle\",\"steps\":2}"));
      assertShuttingDown(Http.post(base, "/sdapi/v1/txt2img", "{\"prompt\":\"a red circle\",\"steps\":2}"));
    } finally {
      streams.forEach(TaskStream::close);
      GateSampler.openFully();
    }
  }

  private static void assertShuttingDown(HttpResponse<String> r) {
    assertThat(r.statusCode()).as(r.body()).isEqualTo(503);
    JsonNode error = Http.json(r).get("error");
    assertThat(error).as(r.body()).isNotNull();
    assertThat(error.get("type").asText()).isEqualTo("server_error");
    assertThat(error.get("code").asText()).isEqualTo("shutting_down");
    assertThat(error.get("message").asText()).contains("shutting down");
  }
}
