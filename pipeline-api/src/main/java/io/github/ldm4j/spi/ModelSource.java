package io.github.ldm4j.spi;

import java.nio.file.Path;
import java.util.Objects;

/**
 * Where a model lives: a folder in the diffusers / optimum ONNX layout or the optimum-intel
 * OpenVINO IR layout ({@code model_index.json}, {@code unet/}, {@code text_encoder/}, …).
 *
 * @param directory the model folder
 */
public record ModelSource(Path directory) {
  /** Validates. */
  public ModelSource {
    Objects.requireNonNull(directory, "directory");
  }
}
