package io.github.ldm4j.demo;

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
 * The embedded demo model (the shapes oracle, {@link ShapesOptions#demo()}: any size), written on first
 * use into {@code <home>/demo/shapes-512-v2}; home is the {@code ldm4j.home} system property, else
 * {@code $LDM4J_HOME}, else {@code ~/.cache/ldm4j}. The ldm4j app uses it when no model is given
 * ({@code generate} directly, {@code serve} by passing the folder to the Quarkus extension as
 * {@code quarkus.ldm4j.model.path}), so every command shares one copy.
 */
public final class DemoModelCache {

  /** Cache folder name; bump when the generated model changes, so stale caches are not reused. */
  public static final String VERSION = "shapes-512-v2";

  private DemoModelCache() {}

  /** The ldm4j home ({@link io.github.ldm4j.folder.Ldm4jHome#path()}). */
  public static Path home() {
    return io.github.ldm4j.folder.Ldm4jHome.path();
  }

  /**
   * The demo model folder, generated on first use (concurrent first uses are safe: each writes a
   * temporary folder and the first atomic rename wins).
   *
   * @throws UncheckedIOException when the folder cannot be written
   */
  public static synchronized Path ensure() {
    Path dir = home().resolve("demo").resolve(VERSION);
    if (Files.isRegularFile(dir.resolve("model_index.json")) && Files.isRegularFile(dir.resolve("unet/model.onnx"))) {
      return dir;
    }
    try {
      Files.createDirectories(dir.getParent());
      Path tmp = Files.createTempDirectory(dir.getParent(), VERSION + ".tmp");
      ShapesModel.write(tmp, ShapesOptions.demo());
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
