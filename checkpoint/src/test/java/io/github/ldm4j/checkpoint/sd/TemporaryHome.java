package io.github.ldm4j.checkpoint.sd;

import java.nio.file.Path;

/**
 * Points {@code ldm4j.home} (the conversion cache) at a test folder; {@link #close()} restores the
 * previous value. For tests that convert checkpoints.
 */
final class TemporaryHome implements AutoCloseable {

  private final String previous = System.getProperty("ldm4j.home");

  TemporaryHome(Path home) {
    System.setProperty("ldm4j.home", home.toString());
  }

  @Override
  public void close() {
    if (previous == null) {
      System.clearProperty("ldm4j.home");
    } else {
      System.setProperty("ldm4j.home", previous);
    }
  }
}
