package io.github.ldm4j.app;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * {@code ldm4j worker --redis URL} as a process, its output in files under the given folder. {@link
 * #kill()} sends SIGKILL (a crash: nothing is cleaned up); {@link #close()} kills it if it still runs.
 */
final class WorkerProcess implements AutoCloseable {

  private final Process process;
  private final Path stdout;
  private final Path stderr;

  private WorkerProcess(Process process, Path stdout, Path stderr) {
    this.process = process;
    this.stdout = stdout;
    this.stderr = stderr;
  }

  /** Starts a worker with {@code jvmArgs} on {@code redisUrl} and waits until it printed that it serves (its model is open). */
  static WorkerProcess start(Path work, List<String> jvmArgs, String redisUrl, int n) throws Exception {
    return start(work, jvmArgs, redisUrl, n, List.of());
  }

  /** Starts a worker as {@link #start(Path, List, String, int)}, with more {@code options}. */
  static WorkerProcess start(Path work, List<String> jvmArgs, String redisUrl, int n, List<String> options)
      throws Exception {
    Path out = work.resolve("worker-" + n + ".out");
    Path err = work.resolve("worker-" + n + ".err");
    List<String> args = new ArrayList<>(List.of("worker", "--redis", redisUrl));
    args.addAll(options);
    Process p = new ProcessBuilder(AppProcess.command(jvmArgs, args.toArray(String[]::new))).directory(work.toFile())
        .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
    WorkerProcess w = new WorkerProcess(p, out, err);
    // Up to 3 minutes: a JVM started while other workers generate on a loaded 2-core machine is slow.
    for (int i = 0; i < 1800; i++) {
      if (!p.isAlive()) {
        throw new IllegalStateException("worker exited with " + p.exitValue() + ": " + w.log());
      }
      if (w.stdout().matches("(?s).*ldm4j: worker w-[0-9a-f]+ serving .*")) {
        return w;
      }
      Thread.sleep(100);
    }
    throw new IllegalStateException("worker did not start: " + w.log());
  }

  /** Its worker id, from the line it printed at startup. */
  String id() throws IOException {
    return stdout().replaceAll("(?s).*ldm4j: worker (w-[0-9a-f]+) serving.*", "$1");
  }

  String stdout() throws IOException {
    return Files.readString(stdout, StandardCharsets.UTF_8);
  }

  String stderr() throws IOException {
    return Files.readString(stderr, StandardCharsets.UTF_8);
  }

  String log() throws IOException {
    return stdout() + stderr();
  }

  /** SIGKILL, and waits for the exit. */
  void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(30, TimeUnit.SECONDS);
  }

  /** SIGTERM, and waits (at most 60 s) for the exit; returns the exit code. */
  int terminate() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new IllegalStateException("worker did not stop on SIGTERM");
    }
    return process.exitValue();
  }

  boolean isAlive() {
    return process.isAlive();
  }

  @Override
  public void close() {
    if (process.isAlive()) {
      process.destroyForcibly();
    }
  }
}
