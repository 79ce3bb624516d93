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
      awaitJobs(http, serve, 1);
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

  /**
   * What a load balancer needs from a SIGTERM'd instance: readiness goes DOWN at once, a request
   * that arrives during the drain is refused at once with 503 {@code shutting_down} and {@code
   * Retry-After} (so it is retried elsewhere instead of queueing behind work that may be cancelled),
   * and the requests accepted before the signal still drain to 200 within {@code
   * quarkus.shutdown.timeout}.
   */
  @Test
  void duringTheDrainReadinessIsDownAndNewRequestsGet503WhileAcceptedOnesFinish() throws Exception {
    try (ServeProcess serve = ServeProcess.start(work, List.of("-Dquarkus.shutdown.timeout=60S"))) {
      HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(5)).build();
      String slow = "{\"prompt\":\"a red circle\",\"steps\":150,\"n\":4,\"seed\":1}";
      List<CompletableFuture<HttpResponse<String>>> accepted = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        accepted.add(http.sendAsync(post(serve, "/v1/images/generations", slow), HttpResponse.BodyHandlers.ofString()));
      }
      awaitJobs(http, serve, 3); // one running, two queued: all three accepted before the signal
      long signalled = System.nanoTime();
      serve.signalTerm();
      HttpRequest ready = HttpRequest.newBuilder(URI.create(serve.base() + "/q/health/ready")).build();
      HttpResponse<String> readiness = null;
      for (int i = 0; i < 100; i++) {
        readiness = http.send(ready, HttpResponse.BodyHandlers.ofString());
        if (readiness.statusCode() == 503) {
          break;
        }
        Thread.sleep(20);
      }
      double downAfterMs = (System.nanoTime() - signalled) / 1e6;
      assertThat(readiness.statusCode()).as("readiness after SIGTERM: " + readiness.body()).isEqualTo(503);
      assertThat(readiness.body()).containsPattern("\"status\"\\s*:\\s*\"DOWN\"").contains("shutting down");
      assertThat(downAfterMs).as("readiness DOWN after SIGTERM, ms").isLessThan(2000);

      List<CompletableFuture<HttpResponse<String>>> late = new ArrayList<>();
      for (int i = 0; i < 25; i++) {
        late.add(http.sendAsync(i % 2 == 0 ? post(serve, "/v1/images/generations", slow)
            : post(serve, "/sdapi/v1/txt2img", "{\"prompt\":\"a red circle\",\"steps\":150}"),
            HttpResponse.BodyHandlers.ofString()));
      }
      long lateAnswered = 0;
      for (CompletableFuture<HttpResponse<String>> f : late) {
        HttpResponse<String> r = f.get(10, TimeUnit.SECONDS);
        lateAnswered = System.nanoTime();
        assertThat(r.statusCode()).as(r.body()).isEqualTo(503);
        assertThat(r.body()).contains("\"code\":\"shutting_down\"", "\"type\":\"server_error\"");
        assertThat(r.headers().firstValue("Retry-After")).contains("5");
      }
      assertThat(accepted).as("the late requests were refused while accepted ones were still in flight")
          .anyMatch(f -> !f.isDone());
      for (CompletableFuture<HttpResponse<String>> f : accepted) {
        HttpResponse<String> r = f.get(90, TimeUnit.SECONDS);
        assertThat(r.statusCode()).as("an accepted request drains: " + r.body()).isEqualTo(200);
      }
      double drainedAfterS = (System.nanoTime() - signalled) / 1e9;
      int exit = serve.awaitExit();
      assertThat(exit).as("exit code; stderr: " + serve.stderr()).isZero();
      System.out.printf("ServeShutdownIT: readiness DOWN %.0f ms after SIGTERM; 25 late requests 503 within %.0f ms;"
          + " 3 accepted drained (200) %.1f s after SIGTERM%n", downAfterMs, (lateAnswered - signalled) / 1e6,
          drainedAfterS);
    }
  }

  private static HttpRequest post(ServeProcess serve, String path, String body) {
    return HttpRequest.newBuilder(URI.create(serve.base() + path)).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body)).build();
  }

  /**
   * Waits (at most 60 s) until the A1111 progress counts {@code jobs} generations running or queued, so
   * the requests are accepted before SIGTERM (on a loaded machine the async sends may take seconds).
   */
  private static void awaitJobs(HttpClient http, ServeProcess serve, int jobs) throws Exception {
    HttpRequest progress = HttpRequest.newBuilder(URI.create(serve.base() + "/sdapi/v1/progress")).build();
    java.util.regex.Pattern count = java.util.regex.Pattern.compile("\"job_count\"\\s*:\\s*(\\d+)");
    String p = "";
    for (int i = 0; i < 600; i++) {
      p = http.send(progress, HttpResponse.BodyHandlers.ofString()).body();
      java.util.regex.Matcher m = count.matcher(p);
      if (m.find() && Integer.parseInt(m.group(1)) >= jobs) {
        return;
      }
      Thread.sleep(100);
    }
    throw new AssertionError("not " + jobs + " generations accepted within 60 s: " + p);
  }
}
