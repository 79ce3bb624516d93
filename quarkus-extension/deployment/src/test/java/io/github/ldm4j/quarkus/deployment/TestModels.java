package io.github.ldm4j.quarkus.deployment;

import io.github.ldm4j.demo.ShapesModel;
import io.github.ldm4j.demo.ShapesOptions;
import java.nio.file.Files;
import java.nio.file.Path;

/** Shapes models under target/, written once per build. */
final class TestModels {

  private TestModels() {}

  static String shapes128() {
    return shapes128("shapes-128");
  }

  /** A 128 px shapes model in its own folder {@code target/test-models/<folder>}. */
  static synchronized String shapes128(String folder) {
    Path dir = Path.of("target", "test-models", folder).toAbsolutePath();
    if (!Files.isRegularFile(dir.resolve("model_index.json"))) {
      ShapesModel.write(dir, ShapesOptions.defaults().withImageSize(128));
    }
    return dir.toString();
  }

  /** The demo model (any size that is a multiple of 8) in its own folder {@code target/test-models/<folder>}. */
  static synchronized String demoAnySize(String folder) {
    Path dir = Path.of("target", "test-models", folder).toAbsolutePath();
    if (!Files.isRegularFile(dir.resolve("model_index.json"))) {
      ShapesModel.write(dir, ShapesOptions.demo());
    }
    return dir.toString();
  }
}
