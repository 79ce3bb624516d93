package io.github.ldm4j.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SIGTERM while {@code serve} has generations queued and running: every accepted request is
 * answered (200, or 503 {@code shutting_down} once the drain time is over), the process exits 0 and
 * does not crash in ONNX Runtime (whose own shutdown hook must not free its environment under a
 * running generation).
 */
class ServeShutdownIT {

  @TempDir Path work;

  @Test
  void sigtermAnswersEveryAcceptedRequestAndExitsCleanly() throws Exception {
    // A short drain so that the queue outlives it and the 503 path is taken too.
    try (ServeProcess serve = ServeProcess.start(work, List.of("-Dquarkus.shutdown.timeout=2S"))) {
      HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
      String body = "{\"prompt\":\"a red circle\",\"steps\":150,\"n\":4,\"seed\":1}";
      List<CompletableFuture<HttpResponse<String>>> sent = new ArrayList<>();
      for (int i = 0; i < 10; i++) {
        sent.add(http.sendAsync(HttpRequest.newBuilder(URI.create(serve.base() + "/v1/images/generations"))
            .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
            HttpResponse.BodyHandlers.ofString()));
      }
      awaitRunning(http, serve);
      int exit = serve.terminate();
      List<Integer> statuses = new ArrayList<>();
      for (CompletableFuture<HttpResponse<String>> f : sent) {
        HttpResponse<String> r = f.get(60, TimeUnit.SECONDS); // throws if a connection was dropped unanswered
        statuses.add(r.statusCode());
        if (r.statusCode() == 503) {
          assertThat(r.body()).contains("\"code\":\"shutting_down\"", "\"type\":\"server_error\"");
        } else {
          assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        }
      }
      assertThat(statuses).as("answers").hasSize(10);
      assertThat(exit).as("exit code; stderr: " + serve.stderr()).isZero();
      assertThat(serve.stderr()).doesNotContain("SIGSEGV", "A fatal error has been detected");
      assertThat(work.toFile().list((d, name) -> name.startsWith("hs_err"))).isEmpty();
    }
  }

  /** Waits (at most 60 s) until the A1111 progress shows a job, so requests are accepted before SIGTERM. */
  private static void awaitRunning(HttpClient http, ServeProcess serve) throws Exception {
    HttpRequest progress = HttpRequest.newBuilder(URI.create(serve.base() + "/sdapi/v1/progress")).build();
    for (int i = 0; i < 600; i++) {
      String p = http.send(progress, HttpResponse.BodyHandlers.ofString()).body();
      if (!p.contains("\"job_count\":0")) {
        return;
      }
      Thread.sleep(100);
    }
    throw new AssertionError("no generation started");
  }
}
