package io.github.ldm4j.app;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * Runs in-process CLI tests in a sandbox: stdout discarded, stderr captured, {@code ldm4j.home} (the
 * conversion cache) pointed at a test folder; {@link #close()} restores all three.
 */
final class CliSandbox implements AutoCloseable {

  private final ByteArrayOutputStream err = new ByteArrayOutputStream();
  private final PrintStream oldOut = System.out;
  private final PrintStream oldErr = System.err;
  private final String oldHome = System.getProperty("ldm4j.home");

  CliSandbox(Path home) {
    System.setOut(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
    System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    System.setProperty("ldm4j.home", home.toString());
  }

  /** What was written to stderr since the last {@link #reset()}. */
  String stderr() {
    return err.toString(StandardCharsets.UTF_8);
  }

  /** Forgets the captured stderr. */
  void reset() {
    err.reset();
  }

  @Override
  public void close() {
    System.setOut(oldOut);
    System.setErr(oldErr);
    if (oldHome == null) {
      System.clearProperty("ldm4j.home");
    } else {
      System.setProperty("ldm4j.home", oldHome);
    }
  }
}
