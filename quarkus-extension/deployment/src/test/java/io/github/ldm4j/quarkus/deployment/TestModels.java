package io.github.ldm4j.quarkus.deployment;

import io.github.ldm4j.testkit.shapes.ShapesModel;
import io.github.ldm4j.testkit.shapes.ShapesOptions;
import java.nio.file.Files;
import java.nio.file.Path;

/** A 128 px shapes model under target/, written once per build. */
final class TestModels {

  private TestModels() {}

  static synchronized String shapes128() {
    Path dir = Path.of("target", "test-models", "shapes-128").toAbsolutePath();
    if (!Files.isRegularFile(dir.resolve("model_index.json"))) {
      ShapesModel.write(dir, ShapesOptions.defaults().withImageSize(128));
    }
    return dir.toString();
  }
}
