package io.github.ldm4j.spi;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Service-provider interface for what a user may name as a model: a diffusers / optimum model folder
 * (built in, {@link FolderModelSource}) or a single-file checkpoint ({@code ldm4j-checkpoint}'s
 * {@code .safetensors} / {@code .ckpt} source). A source turns that path into the model folder the
 * backends open — itself, or a folder it writes and caches. Found with {@link java.util.ServiceLoader}
 * by {@link ModelSources}; the first source (by name) that {@linkplain #accepts accepts} a path reads it.
 *
 * <p>A provider does no work in its constructor or static initialisers.
 */
public interface ModelSourceProvider {

  /** The source's name ({@code folder}, {@code checkpoint}). */
  String name();

  /** What this source reads, for the message that lists the sources found ("a diffusers / optimum model folder"). */
  String reads();

  /** Whether this source reads {@code model}; side-effect free (a file-type check, no parsing). */
  boolean accepts(Path model);

  /**
   * The model folder of {@code model}, written (and cached) first if the source needs to.
   *
   * @throws IOException naming {@code model} when it cannot be read or is not a model this source supports
   */
  Path modelFolder(Path model) throws IOException;
}
