package io.github.ldm4j.testsupport;

import io.github.ldm4j.random.RandomSource;
import io.github.ldm4j.tensor.Shape;
import io.github.ldm4j.tensor.Tensor;
import java.util.SplittableRandom;

/**
 * Test-only {@link RandomSource}: seeded {@link SplittableRandom} uniforms turned into standard
 * normals with the Box–Muller transform. Deterministic per seed; not the PyTorch stream.
 */
public final class GaussianTestRandom implements RandomSource {

  private final SplittableRandom random;
  private double spare = Double.NaN;
  private int draws;

  /** A stream for {@code seed}. */
  public GaussianTestRandom(long seed) {
    this.random = new SplittableRandom(seed);
  }

  /** One standard normal number. */
  public double nextGaussian() {
    if (!Double.isNaN(spare)) {
      double s = spare;
      spare = Double.NaN;
      return s;
    }
    double u1 = 1.0 - random.nextDouble(); // (0, 1]
    double u2 = random.nextDouble();
    double r = Math.sqrt(-2 * Math.log(u1));
    spare = r * Math.sin(2 * Math.PI * u2);
    return r * Math.cos(2 * Math.PI * u2);
  }

  /** How many tensors {@link #randn(Shape)} has produced. */
  public int draws() {
    return draws;
  }

  @Override
  public Tensor randn(Shape shape) {
    draws++;
    Tensor t = Tensor.zeros(shape);
    for (int i = 0; i < t.size(); i++) {
      t.set(i, (float) nextGaussian());
    }
    return t;
  }
}
