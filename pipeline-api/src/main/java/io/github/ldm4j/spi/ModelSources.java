package io.github.ldm4j.spi;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;

/** Lookup of {@link ModelSourceProvider}s: from the path a user names to the model folder the backends open. */
public final class ModelSources {

  private ModelSources() {}

  /** Every registered source, by name. */
  public static Map<String, ModelSourceProvider> all() {
    return NamedServices.all(ModelSourceProvider.class, ModelSourceProvider::name);
  }

  /**
   * The model folder of {@code model}: from the first source (by name) that accepts it. A path that
   * does not exist is returned as is, so that opening it fails naming the missing folder.
   *
   * @throws IOException when the accepting source cannot read it, or when {@code model} is a file no
   *     registered source reads (the message lists the sources found)
   */
  public static Path modelFolder(Path model) throws IOException {
    Objects.requireNonNull(model, "model");
    Map<String, ModelSourceProvider> sources = all();
    for (ModelSourceProvider s : sources.values()) {
      if (s.accepts(model)) {
        return s.modelFolder(model);
      }
    }
    if (!Files.exists(model)) {
      return model;
    }
    throw new IOException(model + " is not a model any source on the class path reads; found: "
        + sources.values().stream().map(s -> s.name() + " (" + s.reads() + ")").collect(Collectors.joining(", "))
        + (Files.isRegularFile(model) ? "; single-file .safetensors / .ckpt checkpoints need io.github.ldm4j:ldm4j-checkpoint" : ""));
  }
}
