package io.github.ldm4j.samplers.testing;

import io.github.ldm4j.random.RandomSource;
import io.github.ldm4j.tensor.Shape;
import io.github.ldm4j.tensor.Tensor;
import java.util.Random;

/**
 * Test-scope seeded Gaussian source ({@link Random#nextGaussian}); stands in for the torch-compatible
 * generator. Counts how many tensors it produced.
 */
public final class GaussianRandom implements RandomSource {

  private final long seed;
  private final Random random;
  private int draws;

  public GaussianRandom(long seed) {
    this.seed = seed;
    this.random = new Random(seed);
  }

  /** Its seed, which also seeds the SDE samplers' Brownian trees. */
  @Override
  public java.util.List<Long> seeds() {
    return java.util.List.of(seed);
  }

  @Override
  public Tensor randn(Shape shape) {
    draws++;
    float[] v = new float[shape.size()];
    for (int i = 0; i < v.length; i++) {
      v[i] = (float) random.nextGaussian();
    }
    return Tensor.of(shape, v);
  }

  /** Number of {@link #randn} calls so far. */
  public int draws() {
    return draws;
  }
}
