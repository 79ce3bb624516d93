package io.github.ldm4j.export.folder;

import io.github.ldm4j.export.onnx.WrittenModel;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * A model folder a generator wrote.
 *
 * @param root the folder
 * @param models the ONNX files written, one per component
 * @param totalBytes size of all files under {@code root} after writing (models, external data, JSON,
 *     tokenizer)
 */
public record GeneratedFolder(Path root, List<WrittenModel> models, long totalBytes) {

  /** Copies the list. */
  public GeneratedFolder {
    Objects.requireNonNull(root, "root");
    models = List.copyOf(models);
  }
}
