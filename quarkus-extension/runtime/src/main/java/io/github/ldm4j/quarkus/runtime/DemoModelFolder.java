package io.github.ldm4j.quarkus.runtime;

import io.github.ldm4j.testkit.shapes.ShapesModel;
import io.github.ldm4j.testkit.shapes.ShapesOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * The embedded demo model (the testkit shapes oracle), written on first use into {@code
 * <home>/demo/shapes-512-v1}; home is the {@code ldm4j.home} system property, else {@code
 * $LDM4J_HOME}, else {@code ~/.cache/ldm4j} (the same cache the command line uses).
 */
public final class DemoModelFolder {

  /** Cache folder name; matches the command line's so both share one copy. */
  public static final String VERSION = "shapes-512-v1";

  private DemoModelFolder() {}

  /** The demo model folder, generated when missing. */
  public static synchronized Path ensure() {
    String prop = System.getProperty("ldm4j.home");
    String env = System.getenv("LDM4J_HOME");
    Path home = prop != null && !prop.isBlank() ? Path.of(prop)
        : env != null && !env.isBlank() ? Path.of(env) : Path.of(System.getProperty("user.home"), ".cache", "ldm4j");
    Path dir = home.resolve("demo").resolve(VERSION);
    if (Files.isRegularFile(dir.resolve("model_index.json")) && Files.isRegularFile(dir.resolve("unet/model.onnx"))) {
      return dir;
    }
    try {
      Files.createDirectories(dir.getParent());
      Path tmp = Files.createTempDirectory(dir.getParent(), VERSION + ".tmp");
      ShapesModel.write(tmp, ShapesOptions.defaults());
      try {
        Files.move(tmp, dir, StandardCopyOption.ATOMIC_MOVE);
      } catch (AtomicMoveNotSupportedException | FileAlreadyExistsException | DirectoryNotEmptyException e) {
        deleteTree(tmp);
        if (!Files.isDirectory(dir)) {
          throw e;
        }
      }
      return dir;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the ldm4j demo model under " + dir.getParent(), e);
    }
  }

  private static void deleteTree(Path p) throws IOException {
    try (Stream<Path> s = Files.walk(p)) {
      for (Path q : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(q);
      }
    }
  }
}
