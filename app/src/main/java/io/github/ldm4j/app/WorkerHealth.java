package io.github.ldm4j.app;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.github.ldm4j.queue.JobQueue;
import io.github.ldm4j.queue.QueueWorker;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The health endpoints of {@code ldm4j worker --health-port P}: {@code /q/health/ready}, {@code
 * /q/health/live} and {@code /q/health}, in the MicroProfile Health JSON shape ({@code {"status":
 * "UP"|"DOWN", "checks": [{"name": "ldm4j-worker", "status": …, "data": {…}}]}}), 200 when up and
 * 503 when down, as a {@code serve} node's. Ready once the worker's models are open and it consumes,
 * and only while Redis answers (one {@code PING} per probe); live from the start (a big checkpoint may
 * take minutes to open: that is not a hang) until the worker's thread has stopped.
 *
 * <p>It is the JDK's {@code com.sun.net.httpserver}, not Quarkus' HTTP listener: the CLI runs with
 * that listener off ({@code quarkus.http.host-enabled=false}), and turning it on for a worker would
 * also serve the extension's whole REST API and UI on a process that takes no requests. Two
 * endpoints on their own port need no more than the JDK.
 *
 * <p><b>Ownership:</b> owns its listener and its thread; {@link #close()} stops them (idempotent).
 */
final class WorkerHealth implements AutoCloseable {

  /** The check's name in the JSON. */
  static final String CHECK = "ldm4j-worker";

  private final HttpServer server;
  private final ExecutorService executor;
  private volatile JobQueue queue;
  private volatile QueueWorker worker;
  private volatile String models = "";
  private volatile boolean closed;

  private WorkerHealth(HttpServer server, ExecutorService executor) {
    this.server = server;
    this.executor = executor;
  }

  /** Threads answering probes. */
  private static final int HANDLER_THREADS = 4;

  /**
   * Listens on {@code port} of every interface (0: a free one); down until {@link #serving}.
   *
   * @throws UncheckedIOException naming the port when it cannot be bound
   */
  static WorkerHealth start(int port) {
    HttpServer server;
    try {
      server = HttpServer.create(new InetSocketAddress(port), 16);
    } catch (IOException e) {
      throw new UncheckedIOException("--health-port " + port + ": cannot listen: " + e.getMessage(), e);
    }
    // a few threads: a readiness probe's PING to an unreachable Redis (bounded by the client's reply
    // timeout) must not hold up the liveness probes behind it (Kubernetes would restart the worker)
    java.util.concurrent.atomic.AtomicInteger threads = new java.util.concurrent.atomic.AtomicInteger();
    ExecutorService executor = Executors.newFixedThreadPool(HANDLER_THREADS, r -> {
      Thread t = new Thread(r, "ldm4j-worker-health-" + threads.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
    WorkerHealth health = new WorkerHealth(server, executor);
    server.setExecutor(executor);
    server.createContext("/q/health", health::handle);
    server.start();
    return health;
  }

  /** The port it listens on. */
  int port() {
    return server.getAddress().getPort();
  }

  /** The models are open and {@code worker} consumes {@code queue}: ready while Redis answers. */
  void serving(String modelNames, JobQueue queue, QueueWorker worker) {
    this.models = modelNames;
    this.queue = queue;
    this.worker = worker;
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      String path = exchange.getRequestURI().getPath();
      if (!"GET".equals(exchange.getRequestMethod())) {
        send(exchange, 405, "{\"error\":\"use GET\"}");
        return;
      }
      switch (path) {
        case "/q/health/ready", "/q/health/ready/" -> answer(exchange, ready());
        case "/q/health/live", "/q/health/live/" -> answer(exchange, live());
        case "/q/health", "/q/health/" -> {
          Check r = ready();
          Check l = live();
          answer(exchange, new Check(r.up() && l.up(), merge(l.data(), r.data())));
        }
        default -> send(exchange, 404, "{\"error\":\"not found: " + escape(path) + "\"}");
      }
    }
  }

  private record Check(boolean up, Map<String, String> data) {}

  private Check ready() {
    Map<String, String> data = new LinkedHashMap<>();
    JobQueue q = queue;
    QueueWorker w = worker;
    if (q == null || w == null) {
      data.put("models", "opening");
      return new Check(false, data);
    }
    data.put("models", models);
    data.put("worker", w.id());
    data.put("completed", Long.toString(w.completed()));
    boolean redis = q.isAvailable();
    data.put("queue", redis ? "available" : "unavailable");
    return new Check(redis && w.isRunning() && !closed, data);
  }

  private Check live() {
    QueueWorker w = worker;
    Map<String, String> data = new LinkedHashMap<>();
    data.put("state", w == null ? "starting" : w.isRunning() ? "consuming" : "stopped");
    return new Check(w == null || w.isRunning(), data);
  }

  private static Map<String, String> merge(Map<String, String> a, Map<String, String> b) {
    Map<String, String> m = new LinkedHashMap<>(a);
    m.putAll(b);
    return m;
  }

  private static void answer(HttpExchange exchange, Check check) throws IOException {
    String status = check.up() ? "UP" : "DOWN";
    StringBuilder json = new StringBuilder("{\"status\":\"").append(status).append("\",\"checks\":[{\"name\":\"")
        .append(CHECK).append("\",\"status\":\"").append(status).append("\",\"data\":{");
    String sep = "";
    for (Map.Entry<String, String> e : check.data().entrySet()) {
      json.append(sep).append('"').append(escape(e.getKey())).append("\":\"").append(escape(e.getValue())).append('"');
      sep = ",";
    }
    json.append("}}]}");
    send(exchange, check.up() ? 200 : 503, json.toString());
  }

  private static void send(HttpExchange exchange, int code, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", "application/json; charset=UTF-8");
    exchange.sendResponseHeaders(code, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  /** {@code s} as the inside of a JSON string. */
  static String escape(String s) {
    StringBuilder b = new StringBuilder(s.length());
    for (char c : s.toCharArray()) {
      switch (c) {
        case '"' -> b.append("\\\"");
        case '\\' -> b.append("\\\\");
        default -> {
          if (c < 0x20) {
            b.append(String.format("\\u%04x", (int) c));
          } else {
            b.append(c);
          }
        }
      }
    }
    return b.toString();
  }

  /** Stops listening (idempotent). */
  @Override
  public void close() {
    if (!closed) {
      closed = true;
      server.stop(0);
      executor.shutdownNow();
    }
  }
}
