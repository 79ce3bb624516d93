package io.github.ldm4j.folder;

import java.nio.file.Path;

/** The folder where ldm4j keeps what it generates for reuse (the demo model, converted checkpoints). */
public final class Ldm4jHome {

  private Ldm4jHome() {}

  /** The ldm4j home: {@code ldm4j.home}, else {@code $LDM4J_HOME}, else {@code ~/.cache/ldm4j}. */
  public static Path path() {
    String prop = System.getProperty("ldm4j.home");
    if (prop != null && !prop.isBlank()) {
      return Path.of(prop);
    }
    String env = System.getenv("LDM4J_HOME");
    return env != null && !env.isBlank() ? Path.of(env) : Path.of(System.getProperty("user.home"), ".cache", "ldm4j");
  }
}
