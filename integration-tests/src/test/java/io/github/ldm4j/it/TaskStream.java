package io.github.ldm4j.it;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/** A subscriber of {@code GET /ldm4j/progress/{taskId}}: its JSON events, awaited one by one (bounded waits). */
final class TaskStream implements AutoCloseable {

  static final Set<String> TERMINAL = Set.of("done", "failed", "cancelled");
  private static final JsonNode END = Http.JSON.createObjectNode().put("event", "<end of stream>");
  private static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  private final BlockingQueue<JsonNode> events = new LinkedBlockingQueue<>();
  private final Stream<String> lines;
  private final Thread reader;

  private TaskStream(Stream<String> lines) {
    this.lines = lines;
    this.reader = Thread.ofVirtual().start(() -> {
      try {
        lines.filter(l -> l.startsWith("data:")).forEach(l -> {
          try {
            events.add(Http.JSON.readTree(l.substring(5).trim()));
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        });
      } catch (RuntimeException e) {
        // closed by the test
      } finally {
        events.add(END);
      }
    });
  }

  /** Subscribes to task {@code id}; the response headers are in when this returns. */
  static TaskStream open(URI base, String id, String... headers) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(base.resolve("/ldm4j/progress/" + id))
        .header("Accept", "text/event-stream").GET();
    if (headers.length > 0) {
      b.headers(headers);
    }
    HttpResponse<Stream<String>> r = CLIENT.sendAsync(b.build(), HttpResponse.BodyHandlers.ofLines())
        .get(30, TimeUnit.SECONDS);
    if (r.statusCode() != 200) {
      throw new IllegalStateException("GET /ldm4j/progress/" + id + " answered " + r.statusCode());
    }
    return new TaskStream(r.body());
  }

  /** The next event ({@code "<end of stream>"} once the stream ended); fails after 60 s without one. */
  JsonNode next() throws InterruptedException {
    JsonNode e = events.poll(60, TimeUnit.SECONDS);
    if (e == null) {
      throw new AssertionError("no task event within 60 s");
    }
    if (e == END) {
      events.add(END);
    }
    return e;
  }

  /** Events up to and including the next one of kind {@code kind} (fails at the end of the stream). */
  List<JsonNode> until(String kind) throws InterruptedException {
    List<JsonNode> got = new ArrayList<>();
    while (true) {
      JsonNode e = next();
      if (e == END) {
        throw new AssertionError("stream ended before a '" + kind + "' event; got " + got);
      }
      got.add(e);
      if (e.get("event").asText().equals(kind)) {
        return got;
      }
    }
  }

  /** Events up to and including step {@code n} (fails at the end of the stream or on a terminal event). */
  List<JsonNode> untilStep(int n) throws InterruptedException {
    List<JsonNode> got = new ArrayList<>();
    while (true) {
      JsonNode e = next();
      if (e == END || TERMINAL.contains(e.get("event").asText())) {
        throw new AssertionError("task ended before step " + n + "; got " + got + " then " + e);
      }
      got.add(e);
      if (e.get("event").asText().equals("step") && e.get("step").asInt() == n) {
        return got;
      }
    }
  }

  /** Every remaining event; the stream must end after the terminal one (fails after 60 s without an event). */
  List<JsonNode> rest() throws InterruptedException {
    List<JsonNode> got = new ArrayList<>();
    for (JsonNode e = next(); e != END; e = next()) {
      got.add(e);
    }
    return got;
  }

  @Override
  public void close() {
    lines.close();
    reader.interrupt();
  }
}
