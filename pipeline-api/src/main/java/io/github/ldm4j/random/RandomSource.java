package io.github.ldm4j.random;

import io.github.ldm4j.tensor.Shape;
import io.github.ldm4j.tensor.Tensor;

/**
 * A seeded stream of standard normal numbers. Each call continues the stream, as {@code
 * torch.randn} continues a generator's state, so a seed reproduces a whole generation.
 *
 * <p>Not thread-safe: one source per generation.
 */
public interface RandomSource {

  /** A new tensor of independent N(0, 1) samples, drawn as the reference generator fills {@code shape}. */
  Tensor randn(Shape shape);

  /** Shorthand for {@code randn(Shape.of(dims))}. */
  default Tensor randn(int... dims) {
    return randn(Shape.of(dims));
  }
}
