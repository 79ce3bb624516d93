package io.github.ldm4j.random;

import io.github.ldm4j.random.internal.Mt19937;
import io.github.ldm4j.tensor.Shape;
import io.github.ldm4j.tensor.Tensor;
import java.util.Objects;

/**
 * NumPy's legacy generator: {@code numpy.random.RandomState(seed)} followed by {@code randn(*shape)}
 * calls, reproduced value for value (the float64 values, rounded to float32 in tensors, as {@code
 * randn(...).astype(np.float32)} does in diffusers' ONNX pipelines).
 *
 * <p><b>Seeding</b> (legacy seeding of an integer, {@code mt19937_seed}): the seed must lie in
 * [0, 2<sup>32</sup>), as NumPy requires; MT19937 is seeded by the reference {@code init_genrand}
 * recurrence and no Gaussian is cached.
 *
 * <p><b>Values</b> ({@code legacy_gauss}): uniforms are 53-bit doubles from two 32-bit words,
 * (a·2<sup>26</sup> + b)/2<sup>53</sup> with a = word₁ ≫ 5, b = word₂ ≫ 6. The polar (Marsaglia)
 * method draws x1 = 2u − 1, x2 = 2u − 1 until 0 &lt; r² = x1² + x2² &lt; 1, returns x2·f and caches
 * x1·f, f = √(−2·ln r² / r²). The cached value is returned by the next draw, across calls.
 * A tensor is filled in row-major order.
 *
 * <p>This is the algorithm of NumPy's {@code RandomState} from NumPy 1.x (randomkit) through 2.x
 * ({@code legacy-distributions.c}), frozen by NumPy's compatibility policy; it was checked against
 * NumPy 2.4.6. The newer {@code numpy.random.default_rng} (PCG64, ziggurat) is a different stream.
 *
 * <p>Not thread-safe.
 */
public final class NumpyRandomState implements RandomSource {

  /** The largest seed NumPy's legacy seeding accepts, 2<sup>32</sup> − 1. */
  public static final long MAX_SEED = 0xFFFF_FFFFL;

  private final long seed;
  private final Mt19937 engine;
  private boolean hasCachedGauss;
  private double cachedGauss;

  /**
   * {@code RandomState(seed)}.
   *
   * @throws IllegalArgumentException unless 0 ≤ seed ≤ 2<sup>32</sup> − 1
   */
  public NumpyRandomState(long seed) {
    if (seed < 0 || seed > MAX_SEED) {
      throw new IllegalArgumentException(
          "NumPy RandomState seed must be between 0 and 2**32 - 1 (" + MAX_SEED + "), got " + seed);
    }
    this.seed = seed;
    this.engine = new Mt19937((int) seed);
  }

  /** The seed given at construction. */
  public long seed() {
    return seed;
  }

  /** {@code RandomState.random_sample()}: one uniform double in [0, 1) with 53 random bits. */
  public double randomSample() {
    int a = engine.nextInt() >>> 5;
    int b = engine.nextInt() >>> 6;
    return (a * 67108864.0 + b) / 9007199254740992.0;
  }

  /** {@code RandomState.standard_normal()}: one N(0, 1) value in double precision. */
  public double standardNormal() {
    if (hasCachedGauss) {
      hasCachedGauss = false;
      return cachedGauss;
    }
    double x1;
    double x2;
    double r2;
    do {
      x1 = 2.0 * randomSample() - 1.0;
      x2 = 2.0 * randomSample() - 1.0;
      r2 = x1 * x1 + x2 * x2;
    } while (r2 >= 1.0 || r2 == 0.0);
    double f = StrictMath.sqrt(-2.0 * StrictMath.log(r2) / r2);
    cachedGauss = f * x1;
    hasCachedGauss = true;
    return f * x2;
  }

  /** {@code RandomState.randn(*shape).astype(np.float32)}: continues this generator's stream. */
  @Override
  public Tensor randn(Shape shape) {
    Objects.requireNonNull(shape, "shape");
    float[] values = new float[shape.size()];
    for (int i = 0; i < values.length; i++) {
      values[i] = (float) standardNormal();
    }
    return Tensor.of(shape, values);
  }

  /** The one seed this generator was made from. */
  @Override
  public java.util.List<Long> seeds() {
    return java.util.List.of(seed);
  }

  @Override
  public String toString() {
    return "NumpyRandomState[seed=" + seed + "]";
  }
}
