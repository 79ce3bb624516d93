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
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The first step of a shutdown ({@link GenerationService#stopAdmitting()}, run by the shutdown
 * listener as soon as Quarkus begins to stop): readiness goes DOWN, a new generation request is
 * answered 503 {@code shutting_down} with {@code Retry-After} at once, and the generation already
 * running (held by the {@link GateSampler}) still finishes with 200. Its own profile: the instance
 * is discarded.
 */
@QuarkusTest
@QuarkusTestResource(ShapesModelResource.class)
@TestProfile(DrainTest.OwnInstance.class)
class DrainTest {

  /** An application instance of its own, with a distinct Retry-After. */
  public static class OwnInstance implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      return Map.of("quarkus.ldm4j.limits.retry-after-seconds", "7");
    }
  }

  @TestHTTPResource("/") URI base;

  @Inject GenerationService service;

  @Test
  void afterStopAdmittingNewRequestsGet503AndTheRunningOneFinishes() throws Exception {
    Http.awaitIdle(base);
    assertThat(Http.get(base, "/q/health/ready").statusCode()).isEqualTo(200);
    GateSampler.shut();
    try (ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor()) {
      CompletableFuture<HttpResponse<String>> running = CompletableFuture.supplyAsync(() -> Http.post(base,
          "/v1/images/generations", "{\"prompt\":\"a red circle\",\"steps\":3,\"sampler\":\"" + GateSampler.NAME + "\"}"),
          clients);
      Http.awaitJobs(base, 1);

      service.stopAdmitting();

      HttpResponse<String> ready = Http.get(base, "/q/health/ready");
      assertThat(ready.statusCode()).as(ready.body()).isEqualTo(503);
      assertThat(ready.body()).contains("shutting down");
      for (String path : new String[] {"/v1/images/generations", "/sdapi/v1/txt2img"}) {
        HttpResponse<String> r = Http.post(base, path, "{\"prompt\":\"a red circle\",\"steps\":2}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(503);
        JsonNode error = Http.json(r).get("error");
        assertThat(error.get("code").asText()).isEqualTo("shutting_down");
        assertThat(error.get("type").asText()).isEqualTo("server_error");
        assertThat(r.headers().firstValue("Retry-After")).contains("7");
      }
      assertThat(running).isNotDone();
      GateSampler.openFully();
      HttpResponse<String> done = running.get(30, TimeUnit.SECONDS);
      assertThat(done.statusCode()).as(done.body()).isEqualTo(200);
      assertThat(service.isShutDown()).isFalse();
    } finally {
      GateSampler.openFully();
    }
  }
}
