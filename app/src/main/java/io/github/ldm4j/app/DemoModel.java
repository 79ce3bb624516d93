package io.github.ldm4j.app;

import io.github.ldm4j.testkit.shapes.ShapesModel;
import io.github.ldm4j.testkit.shapes.ShapesOptions;
import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * The embedded demo model: the testkit's "shapes" oracle (16 coloured shapes; "a red circle"
 * gives a red circle), generated deterministically on first use into {@code
 * <home>/demo/shapes-512-v1}, home being the {@code ldm4j.home} system property, else {@code
 * $LDM4J_HOME}, else {@code ~/.cache/ldm4j}.
 */
final class DemoModel {

  /** Bump when the generated model changes, so stale caches are not reused. */
  static final String VERSION = "shapes-512-v1";

  private DemoModel() {}

  static Path home() {
    String prop = System.getProperty("ldm4j.home");
    if (prop != null && !prop.isBlank()) {
      return Path.of(prop);
    }
    String env = System.getenv("LDM4J_HOME");
    return env != null && !env.isBlank() ? Path.of(env) : Path.of(System.getProperty("user.home"), ".cache", "ldm4j");
  }

  /** The demo model folder, written on first use. */
  static synchronized Path ensure() throws IOException {
    Path dir = home().resolve("demo").resolve(VERSION);
    if (Files.isRegularFile(dir.resolve("model_index.json")) && Files.isRegularFile(dir.resolve("unet/model.onnx"))) {
      return dir;
    }
    Files.createDirectories(dir.getParent());
    Path tmp = Files.createTempDirectory(dir.getParent(), VERSION + ".tmp");
    ShapesModel.write(tmp, ShapesOptions.defaults());
    try {
      Files.move(tmp, dir, StandardCopyOption.ATOMIC_MOVE);
    } catch (AtomicMoveNotSupportedException | java.nio.file.FileAlreadyExistsException e) {
      deleteTree(tmp);
      if (!Files.isDirectory(dir)) {
        throw e;
      }
    } catch (java.nio.file.DirectoryNotEmptyException e) {
      deleteTree(tmp);
    }
    return dir;
  }

  /** Writes the demo model into {@code target}. */
  static void write(Path target) {
    ShapesModel.write(target, ShapesOptions.defaults());
  }

  private static void deleteTree(Path p) throws IOException {
    try (Stream<Path> s = Files.walk(p)) {
      for (Path q : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(q);
      }
    }
  }
}
