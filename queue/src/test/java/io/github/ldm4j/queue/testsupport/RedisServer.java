package io.github.ldm4j.queue.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real {@code redis-server} (the Debian package's, found on the PATH or in /usr/bin) on a free
 * loopback port with its own temporary directory, append-only file on and fsync on every write (a
 * restart loses nothing) — or a {@linkplain #replicaOf replica} of one, or a {@linkplain #sentinel
 * Sentinel} (the same binary in sentinel mode) watching one; {@link #restart()} stops it cleanly and starts it again on the same port
 * and data, {@link #close()} stops it and deletes the directory (idempotent; a JVM shutdown hook
 * closes it too, should a test not).
 */
public final class RedisServer implements AutoCloseable {

  private final Path dir;
  private final int port;
  private final List<String> extra;
  private final String sentinelConfig;
  private Process process;

  private RedisServer(Path dir, int port, List<String> extra, String sentinelConfig) {
    this.dir = dir;
    this.port = port;
    this.extra = List.copyOf(extra);
    this.sentinelConfig = sentinelConfig;
  }

  /** Starts one. */
  public static RedisServer start() {
    return start(List.of(), null);
  }

  /** Starts a replica of {@code master} (same persistence settings). */
  public static RedisServer replicaOf(RedisServer master) {
    return start(List.of("--replicaof", "127.0.0.1", Integer.toString(master.port())), null);
  }

  /**
   * Starts a Redis Sentinel ({@code redis-server CONF --sentinel}) monitoring {@code master} as
   * {@code name} with a quorum of 1, declaring it down after 1 s.
   */
  public static RedisServer sentinel(RedisServer master, String name) {
    return start(List.of(), "sentinel monitor " + name + " 127.0.0.1 " + master.port() + " 1\n"
        + "sentinel down-after-milliseconds " + name + " 1000\n"
        + "sentinel failover-timeout " + name + " 5000\n");
  }

  private static RedisServer start(List<String> extra, String sentinelConfig) {
    try {
      Path dir = Files.createTempDirectory("ldm4j-redis");
      int port;
      try (ServerSocket s = new ServerSocket(0)) {
        port = s.getLocalPort();
      }
      RedisServer r = new RedisServer(dir, port, extra, sentinelConfig);
      r.launch();
      // A test that never closes it (a class loaded twice, as QuarkusUnitTest does) must not leave it running.
      Runtime.getRuntime().addShutdownHook(new Thread(r::close, "redis-server-" + port + "-stop"));
      return r;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The path of redis-server. */
  public static String executable() {
    for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin").split(":")) {
      if (Files.isExecutable(Path.of(dir, "redis-server"))) {
        return Path.of(dir, "redis-server").toString();
      }
    }
    if (Files.isExecutable(Path.of("/usr/bin/redis-server"))) {
      return "/usr/bin/redis-server";
    }
    throw new IllegalStateException("redis-server is not installed (apt-get install -y redis-server); the queue"
        + " tests run a real one");
  }

  private void launch() throws IOException {
    List<String> cmd;
    if (sentinelConfig != null) {
      Path conf = dir.resolve("sentinel.conf");
      if (!Files.exists(conf)) {
        Files.writeString(conf, sentinelConfig); // sentinel rewrites it with what it learnt
      }
      cmd = new ArrayList<>(List.of(executable(), conf.toString(), "--sentinel", "--port", Integer.toString(port),
          "--bind", "127.0.0.1", "--dir", dir.toString(), "--daemonize", "no", "--logfile",
          dir.resolve("redis.log").toString()));
    } else {
      cmd = new ArrayList<>(List.of(executable(), "--port", Integer.toString(port), "--bind", "127.0.0.1",
          "--dir", dir.toString(), "--appendonly", "yes", "--appendfsync", "always", "--save", "",
          "--daemonize", "no", "--protected-mode", "yes", "--logfile", dir.resolve("redis.log").toString()));
      cmd.addAll(extra);
    }
    process = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(dir.resolve("stdout.log").toFile())
        .start();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (System.nanoTime() < deadline) {
      try (Socket s = new Socket("127.0.0.1", port)) {
        s.getOutputStream().write("PING\r\n".getBytes());
        byte[] b = new byte[7];
        if (s.getInputStream().read(b) > 0 && new String(b).startsWith("+PONG")) {
          return;
        }
      } catch (IOException e) {
        // not up yet
      }
      if (!process.isAlive()) {
        throw new IllegalStateException("redis-server exited: " + Files.readString(dir.resolve("stdout.log")));
      }
      sleep(50);
    }
    throw new IllegalStateException("redis-server did not start on port " + port);
  }

  /** Its {@code redis://127.0.0.1:PORT} address. */
  public String url() {
    return "redis://127.0.0.1:" + port;
  }

  /** Its port. */
  public int port() {
    return port;
  }

  /** Stops it (SIGTERM: the append-only file is flushed), waits, and starts it again on the same port and data. */
  public void restart() {
    stop();
    try {
      launch();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Stops it (SIGTERM) and waits for the exit. */
  public synchronized void stop() {
    if (process != null && process.isAlive()) {
      process.destroy();
      try {
        if (!process.waitFor(20, TimeUnit.SECONDS)) {
          process.destroyForcibly().waitFor();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * The address of one server shared by the whole JVM, started on first use (a system property
   * carries it across class loaders: QuarkusUnitTest loads a test class twice) and stopped when the
   * JVM exits.
   */
  public static synchronized String sharedUrl() {
    String url = System.getProperty(SHARED_PROPERTY);
    if (url == null) {
      url = start().url();
      System.setProperty(SHARED_PROPERTY, url);
    }
    return url;
  }

  private static final String SHARED_PROPERTY = "ldm4j.test.redis.shared-url";

  @Override
  public synchronized void close() {
    stop();
    try (var walk = Files.walk(dir)) {
      walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // best effort
    }
  }
}
