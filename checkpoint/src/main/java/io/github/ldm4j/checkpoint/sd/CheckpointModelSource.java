package io.github.ldm4j.checkpoint.sd;

import io.github.ldm4j.spi.ModelSourceProvider;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The model source of single-file SD 1.x / 2.x checkpoints ({@code .safetensors}, {@code .ckpt},
 * {@code .pt}): any regular file given as a model is read as one and converted into a cached model
 * folder with the defaults of {@link CheckpointFolders.Request#defaults} (the {@code .yaml} beside
 * it, if any; fp32). So {@code Generator.open} takes checkpoint files; for a separate VAE or other
 * options (the Quarkus extension's {@code quarkus.ldm4j.precision}) use {@link CheckpointFolders}
 * directly.
 */
public final class CheckpointModelSource implements ModelSourceProvider {

  /** Found by {@link java.util.ServiceLoader}. */
  public CheckpointModelSource() {}

  @Override
  public String name() {
    return "checkpoint";
  }

  @Override
  public String reads() {
    return "a single-file SD 1.x / 2.x checkpoint (.safetensors, .ckpt)";
  }

  @Override
  public boolean accepts(Path model) {
    return Files.isRegularFile(model);
  }

  @Override
  public Path modelFolder(Path model) throws IOException {
    return CheckpointFolders.cached(CheckpointFolders.Request.defaults(model));
  }
}
