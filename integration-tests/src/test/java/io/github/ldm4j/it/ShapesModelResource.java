package io.github.ldm4j.it;

import io.github.ldm4j.demo.ShapesModel;
import io.github.ldm4j.demo.ShapesOptions;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Writes the 128 px shapes oracle to a temporary folder and points {@code quarkus.ldm4j.model.path}
 * at it: the extension has no built-in model, so every test of this module uses this resource.
 */
public class ShapesModelResource implements QuarkusTestResourceLifecycleManager {

  /** Image size of the test model. */
  public static final int SIZE = 128;

  private Path dir;

  @Override
  public Map<String, String> start() {
    try {
      dir = Files.createTempDirectory("ldm4j-it-shapes");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    ShapesModel.write(dir, ShapesOptions.defaults().withImageSize(SIZE));
    return Map.of("quarkus.ldm4j.model.path", dir.toString());
  }

  @Override
  public void stop() {
    if (dir == null) {
      return;
    }
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
