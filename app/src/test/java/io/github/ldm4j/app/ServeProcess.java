package io.github.ldm4j.app;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * {@code ldm4j serve} (on the demo model unless told otherwise) as a process on a free local port, its output in files
 * under the given folder. {@link #close()} kills it if it still runs.
 */
final class ServeProcess implements AutoCloseable {

  private final Process process;
  private final int port;
  private final Path stdout;
  private final Path stderr;

  private ServeProcess(Process process, int port, Path stdout, Path stderr) {
    this.process = process;
    this.port = port;
    this.stdout = stdout;
    this.stderr = stderr;
  }

  /** Starts {@code serve} with {@code jvmArgs} and waits until it is ready and has printed its URL. */
  static ServeProcess start(Path work, List<String> jvmArgs) throws Exception {
    return start(work, jvmArgs, List.of());
  }

  /** Starts {@code serve} with {@code jvmArgs} and the further {@code args} (e.g. {@code --model FILE}), and waits until ready. */
  static ServeProcess start(Path work, List<String> jvmArgs, List<String> args) throws Exception {
    return start(work, jvmArgs, args, java.util.Map.of());
  }

  /**
   * Starts {@code serve} with {@code jvmArgs}, the further {@code args} and the further environment
   * variables {@code env}, and waits until ready.
   */
  static ServeProcess start(Path work, List<String> jvmArgs, List<String> args, java.util.Map<String, String> env)
      throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    Path out = work.resolve("serve-" + port + ".out");
    Path err = work.resolve("serve-" + port + ".err");
    List<String> all = new java.util.ArrayList<>(List.of("serve", "--port", Integer.toString(port), "--host", "127.0.0.1"));
    all.addAll(args);
    ProcessBuilder pb = new ProcessBuilder(AppProcess.command(jvmArgs, all.toArray(String[]::new))).directory(work.toFile())
        .redirectOutput(out.toFile()).redirectError(err.toFile());
    pb.environment().putAll(env);
    Process p = pb.start();
    ServeProcess serve = new ServeProcess(p, port, out, err);
    serve.awaitReady();
    return serve;
  }

  /** The port it listens on. */
  int port() {
    return port;
  }

  /** {@code http://127.0.0.1:PORT}. */
  String base() {
    return "http://127.0.0.1:" + port;
  }

  /** Its standard output so far. */
  String stdout() throws IOException {
    return Files.readString(stdout, StandardCharsets.UTF_8);
  }

  /** Its standard error so far. */
  String stderr() throws IOException {
    return Files.readString(stderr, StandardCharsets.UTF_8);
  }

  private String log() throws IOException {
    return stdout() + stderr();
  }

  /**
   * Polls until /q/health/ready answers 200 (the models are open) and the URL line is printed,
   * failing if the process exits first.
   */
  private void awaitReady() throws Exception {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    HttpRequest ready = HttpRequest.newBuilder(URI.create(base() + "/q/health/ready")).build();
    for (int i = 0; i < 600; i++) {
      if (!process.isAlive()) {
        throw new IllegalStateException("serve exited with " + process.exitValue() + ": " + log());
      }
      try {
        // ready once the models are open; serve prints its URL line right after opening them
        if (http.send(ready, HttpResponse.BodyHandlers.discarding()).statusCode() == 200
            && stdout().contains("ldm4j: serving")) {
          return;
        }
      } catch (IOException notListeningYet) {
        // retry
      }
      Thread.sleep(200);
    }
    throw new IllegalStateException("serve did not become ready: " + log());
  }

  /** The process. */
  Process process() {
    return process;
  }

  /** Sends SIGTERM and returns at once. */
  void signalTerm() {
    process.destroy();
  }

  /**
   * Sends SIGTERM and waits (at most 60 s) for the process to end.
   *
   * @return its exit code
   * @throws IllegalStateException when it did not stop (it is then killed)
   */
  int terminate() throws Exception {
    process.destroy();
    return awaitExit();
  }

  /**
   * Waits (at most 60 s) for the process to end, without signalling it (a second SIGTERM would halt it).
   *
   * @return its exit code
   * @throws IllegalStateException when it did not stop (it is then killed)
   */
  int awaitExit() throws Exception {
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new IllegalStateException("serve did not stop on SIGTERM: " + log());
    }
    return process.exitValue();
  }

  @Override
  public void close() {
    if (process.isAlive()) {
      process.destroyForcibly();
    }
  }
}
