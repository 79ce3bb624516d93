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

  /**
   * The seeds this source was made from, as k-diffusion's {@code BrownianTreeNoiseSampler} takes its
   * {@code seed}: one seed for a single generator filling whole tensors, or one per batch item for
   * {@link #perItem} sources (AUTOMATIC1111's per-image seeds); empty when unknown (the default).
   * Seeded SDE samplers build their Brownian trees from them.
   */
  default java.util.List<Long> seeds() {
    return java.util.List.of();
  }

  /** Shorthand for {@code randn(Shape.of(dims))}. */
  default Tensor randn(int... dims) {
    return randn(Shape.of(dims));
  }

  /**
   * One source per batch item (AUTOMATIC1111's per-image generators): {@code randn([B, …])} draws
   * item i's slice {@code [1, …]} from {@code sources.get(i)}. So image i of a batch gets exactly the
   * numbers it would get generated alone with its own seed.
   *
   * @throws IllegalArgumentException when a requested shape's batch differs from the number of sources
   */
  static RandomSource perItem(java.util.List<? extends RandomSource> sources) {
    java.util.List<RandomSource> items = java.util.List.copyOf(sources);
    if (items.isEmpty()) {
      throw new IllegalArgumentException("at least one source is needed");
    }
    java.util.List<Long> seeds = items.stream().allMatch(s -> s.seeds().size() == 1)
        ? items.stream().map(s -> s.seeds().getFirst()).toList()
        : java.util.List.of();
    return new RandomSource() {
      @Override
      public Tensor randn(Shape shape) {
        if (shape.rank() < 1 || shape.dim(0) != items.size()) {
          throw new IllegalArgumentException(
              "per-item noise for " + items.size() + " images cannot fill shape " + shape + " (batch must be " + items.size() + ")");
        }
        Shape one = shape.withDim(0, 1);
        Tensor[] parts = new Tensor[items.size()];
        for (int i = 0; i < parts.length; i++) {
          parts[i] = items.get(i).randn(one);
        }
        return parts.length == 1 ? parts[0] : Tensor.concat(0, parts);
      }

      @Override
      public java.util.List<Long> seeds() {
        return seeds;
      }
    };
  }
}
