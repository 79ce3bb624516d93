package io.github.ldm4j.backend.conformance;

import io.github.ldm4j.testkit.sd.SdModel;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * The suite's model folders under one root, each written on first use only (so that a filtered run
 * writes only what it needs) and then shared by every test of the class. Tests that break a folder
 * work on a {@link #copyOf copy}.
 */
final class ConformanceModels {

  private final Path root;
  private final Map<ConformanceCase, Path> written = new ConcurrentHashMap<>();

  ConformanceModels(Path root) {
    this.root = root;
  }

  /** The case's folder, written on first call. */
  Path folder(ConformanceCase c) {
    return written.computeIfAbsent(c, k -> SdModel.write(root.resolve(k.id()), k.options()).root());
  }

  /** A fresh copy of the case's folder under {@code name}, for tests that damage it. */
  Path copyOf(ConformanceCase c, String name) {
    Path source = folder(c);
    Path target = root.resolve("copies").resolve(name);
    try (Stream<Path> files = Files.walk(source)) {
      for (Path p : (Iterable<Path>) files::iterator) {
        Path dst = target.resolve(source.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(dst);
        } else {
          Files.copy(p, dst);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot copy " + source + " to " + target, e);
    }
    return target;
  }

  /** Deletes {@code path} and everything under it. */
  void delete(Path path) {
    try (Stream<Path> files = Files.walk(path)) {
      for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot delete " + path, e);
    }
  }

  /** A path under the root that does not exist. */
  Path missing(String name) {
    return root.resolve("missing").resolve(name);
  }
}
