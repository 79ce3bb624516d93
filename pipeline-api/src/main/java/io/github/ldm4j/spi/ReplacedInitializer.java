package io.github.ldm4j.spi;

import io.github.ldm4j.tensor.Tensor;
import java.util.Objects;

/**
 * An initializer of a network whose values are replaced when its session is created — possibly with
 * another first dimension, e.g. the text encoder's token-embedding table with textual-inversion
 * rows appended (the graph only indexes it). Backends that can do this say so ({@link
 * BackendProvider#replacesInitializers()}).
 *
 * @param name the initializer's name in the network file
 * @param values the new values, float32 (the backend converts them to {@code float16} when so)
 * @param float16 whether the network stores the initializer as float16
 */
public record ReplacedInitializer(String name, Tensor values, boolean float16) {

  /** Validates. */
  public ReplacedInitializer {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(values, "values");
  }
}
