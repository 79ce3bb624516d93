package io.github.ldm4j.checkpoint.library;

import java.nio.file.Path;
import java.util.Objects;

/**
 * One file of a model library.
 *
 * @param kind what it is
 * @param name its name: the path below its kind's folder without the extension, sub-folders
 *     joined with {@code /} ({@code sub/name}), as A1111 shows it
 * @param file the file, absolute
 * @param size its size in bytes
 */
public record ModelEntry(ModelKind kind, String name, Path file, long size) {

  /** Validates. */
  public ModelEntry {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(file, "file");
    if (name == null || name.isEmpty()) {
      throw new IllegalArgumentException("an entry needs a name");
    }
    if (size < 0) {
      throw new IllegalArgumentException("size must not be negative, got " + size);
    }
  }

  /** The file name without extension and sub-folders: A1111's {@code Model:} and LoRA name. */
  public String stem() {
    return name.substring(name.lastIndexOf('/') + 1);
  }

  /** The file name with its extension ({@code VAE:} in A1111's parameters). */
  public String fileName() {
    return file.getFileName().toString();
  }
}
