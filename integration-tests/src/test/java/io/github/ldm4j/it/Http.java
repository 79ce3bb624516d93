package io.github.ldm4j.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/** A tiny HTTP/JSON client for the tests. */
final class Http {

  static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

  private Http() {}

  static HttpResponse<String> get(URI base, String path, String... headers) {
    return send(HttpRequest.newBuilder(base.resolve(path)).GET(), headers);
  }

  /** GET of an absolute URL, the body as bytes (an image URL). */
  static HttpResponse<byte[]> getBytes(URI url) {
    try {
      return CLIENT.send(HttpRequest.newBuilder(url).GET().build(), HttpResponse.BodyHandlers.ofByteArray());
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  static HttpResponse<String> post(URI base, String path, String body, String... headers) {
    return send(HttpRequest.newBuilder(base.resolve(path)).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body)), headers);
  }

  static HttpResponse<String> send(HttpRequest.Builder b, String... headers) {
    if (headers.length > 0) {
      b.headers(headers);
    }
    try {
      return CLIENT.send(b.timeout(Duration.ofMinutes(2)).build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** Waits (at most 30 s, else fails) until no generation runs or waits. */
  static void awaitIdle(URI base, String... headers) {
    awaitJobs(base, 0, headers);
  }

  /**
   * Waits (at most 30 s, else fails) until {@code n} generations run or wait: {@code job_count} of
   * {@code GET /sdapi/v1/progress}.
   */
  static void awaitJobs(URI base, int n, String... headers) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    int jobs;
    while ((jobs = json(get(base, "/sdapi/v1/progress", headers)).get("state").get("job_count").asInt()) != n) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("the server has " + jobs + " generation(s) running or queued, not " + n + ", after 30 s");
      }
      try {
        Thread.sleep(10);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
  }

  static JsonNode json(HttpResponse<String> r) {
    try {
      return JSON.readTree(r.body());
    } catch (IOException e) {
      throw new UncheckedIOException("not JSON: " + r.body(), e);
    }
  }
}
