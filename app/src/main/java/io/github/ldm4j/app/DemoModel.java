package io.github.ldm4j.app;

import io.github.ldm4j.demo.DemoModelCache;
import io.github.ldm4j.demo.ShapesModel;
import io.github.ldm4j.demo.ShapesOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/**
 * The embedded demo model: ldm4j-demo-model's "shapes" oracle (16 coloured shapes; "a red circle"
 * gives a red circle), generated deterministically on first use into {@code
 * <home>/demo/shapes-512-v2} by {@link DemoModelCache} (shared by {@code generate} and {@code
 * serve}, which passes it to the Quarkus extension), home being the {@code ldm4j.home} system
 * property, else {@code $LDM4J_HOME}, else {@code ~/.cache/ldm4j}.
 */
final class DemoModel {

  private DemoModel() {}

  /** The demo model folder, written on first use. */
  static Path ensure() throws IOException {
    try {
      return DemoModelCache.ensure();
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
  }

  /** Writes the demo model into {@code target}. */
  static void write(Path target) {
    ShapesModel.write(target, ShapesOptions.demo());
  }
}
