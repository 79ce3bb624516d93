package io.github.ldm4j.export.onnx;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * The files one {@link OnnxModelWriter#write} call produced.
 *
 * @param modelFile the {@code .onnx} file
 * @param files every file written (the model file first, then its external data if any)
 * @param totalBytes size of all files together
 */
public record WrittenModel(Path modelFile, List<Path> files, long totalBytes) {

  /** Copies the list. */
  public WrittenModel {
    Objects.requireNonNull(modelFile, "modelFile");
    files = List.copyOf(files);
  }

  /** True when the weights live in a separate external-data file. */
  public boolean hasExternalData() {
    return files.size() > 1;
  }
}
