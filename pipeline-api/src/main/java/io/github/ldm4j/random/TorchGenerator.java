package io.github.ldm4j.random;

import io.github.ldm4j.random.internal.Mt19937;
import io.github.ldm4j.tensor.Shape;
import io.github.ldm4j.tensor.Tensor;
import java.util.Objects;

/**
 * PyTorch's CPU generator: {@code torch.manual_seed(seed)} followed by {@code torch.randn(shape)}
 * calls (float32, default CPU generator), reproduced value for value.
 *
 * <p><b>Seeding</b> ({@code CPUGeneratorImpl::set_current_seed}): MT19937 is seeded with the low 32
 * bits of the 64-bit seed by the reference {@code init_genrand} recurrence, and the cached normal
 * (see below) is dropped. Every {@code long} is a valid seed: PyTorch takes seeds in [−2<sup>63</sup>,
 * 2<sup>64</sup>) and reinterprets negative ones as unsigned 64-bit, which is exactly the bit pattern
 * of the Java {@code long} (a Python seed s ≥ 2<sup>63</sup> is {@code Long.parseUnsignedLong("s")}).
 * Seeds equal modulo 2<sup>32</sup> therefore give the same numbers, as in PyTorch.
 *
 * <p><b>{@code randn} of n ≥ 16 elements</b> (ATen {@code normal_fill}): n uniforms are drawn, one
 * 32-bit word each, u = (word &amp; 0xFFFFFF)·2<sup>−24</sup>; each complete block of 16 is
 * transformed by the 16-wide Box–Muller of {@link TorchNormalKernel} (pairs j and j + 8, u1 = 1 − u);
 * when n is not a multiple of 16 the last 16 elements are then overwritten from 16 fresh uniforms,
 * transformed the same way.
 *
 * <p><b>{@code randn} of n &lt; 16 elements</b> (ATen {@code normal_distribution<double>}): each
 * element is one double-precision Box–Muller draw rounded to float. A draw returns the cached
 * value if there is one; otherwise it takes two 53-bit uniforms u1, u2 (two words each, first word
 * high), returns r·cos θ and caches r·sin θ, with r = √(−2·ln(1 − u2)), θ = 2π·u1. The cache lives
 * in the generator: it survives between calls and is untouched by the ≥ 16 path, as in PyTorch.
 *
 * <p>This is the algorithm of PyTorch 1.5 through 2.11 (ATen {@code DistributionTemplates.h},
 * {@code DistributionsHelper.h}, {@code MT19937RNGEngine.h}); it was checked against torch 2.11.0's
 * CPU build. CUDA (and other device) generators use Philox with a different algorithm and are
 * <b>not</b> reproduced: {@code torch.randn(shape, device="cuda")} gives other numbers for the same
 * seed.
 *
 * <p>Not thread-safe.
 */
public final class TorchGenerator implements RandomSource {

  private static final int VECTOR_BLOCK = 16;
  private static final long MASK_53 = (1L << 53) - 1;

  private final long seed;
  private final TorchNormalKernel kernel;
  private final Mt19937 engine;
  private boolean hasCachedNormal;
  private double cachedNormal;

  /**
   * {@code torch.manual_seed(seed)} with the {@linkplain TorchNormalKernel#AVX2 x86-64 AVX2 kernel}
   * that stock PyTorch wheels run on current Intel and AMD CPUs.
   */
  public TorchGenerator(long seed) {
    this(seed, TorchNormalKernel.AVX2);
  }

  /** {@code torch.manual_seed(seed)}, filling tensors of ≥ 16 elements with {@code kernel}. */
  public TorchGenerator(long seed, TorchNormalKernel kernel) {
    this.seed = seed;
    this.kernel = Objects.requireNonNull(kernel, "kernel");
    this.engine = new Mt19937((int) seed);
  }

  /** The seed given at construction ({@code torch.initial_seed()}, as a signed 64-bit value). */
  public long seed() {
    return seed;
  }

  /** The kernel used for tensors of 16 elements or more. */
  public TorchNormalKernel kernel() {
    return kernel;
  }

  /** {@code torch.randn(shape)}: continues this generator's stream. */
  @Override
  public Tensor randn(Shape shape) {
    Objects.requireNonNull(shape, "shape");
    float[] values = new float[shape.size()];
    if (values.length >= VECTOR_BLOCK) {
      fillVectorised(values);
    } else {
      for (int i = 0; i < values.length; i++) {
        values[i] = (float) nextNormal();
      }
    }
    return Tensor.of(shape, values);
  }

  private void fillVectorised(float[] values) {
    int n = values.length;
    for (int i = 0; i < n; i++) {
      values[i] = nextUniformFloat();
    }
    for (int i = 0; i + VECTOR_BLOCK <= n; i += VECTOR_BLOCK) {
      kernel.transform16(values, i);
    }
    if (n % VECTOR_BLOCK != 0) {
      // Redo the last (partial) block from fresh uniforms, overlapping the previous block.
      int tail = n - VECTOR_BLOCK;
      for (int i = tail; i < n; i++) {
        values[i] = nextUniformFloat();
      }
      kernel.transform16(values, tail);
    }
  }

  /** {@code at::uniform_real_distribution<float>(0, 1)}: 24 random bits. */
  private float nextUniformFloat() {
    return (engine.nextInt() & 0xFFFFFF) * 0x1.0p-24f;
  }

  /** {@code at::uniform_real_distribution<double>(0, 1)}: 53 bits of {@code random64()}. */
  private double nextUniformDouble() {
    return (engine.nextLong() & MASK_53) * 0x1.0p-53;
  }

  /** {@code at::normal_distribution<double>(0, 1)} with the generator's cached second value. */
  private double nextNormal() {
    if (hasCachedNormal) {
      hasCachedNormal = false;
      return cachedNormal;
    }
    double u1 = nextUniformDouble();
    double u2 = nextUniformDouble();
    double r = StrictMath.sqrt(-2.0 * StrictMath.log1p(-u2));
    double theta = 2.0 * Math.PI * u1;
    cachedNormal = r * StrictMath.sin(theta);
    hasCachedNormal = true;
    return r * StrictMath.cos(theta);
  }

  /** The one seed this generator was made from. */
  @Override
  public java.util.List<Long> seeds() {
    return java.util.List.of(seed);
  }

  @Override
  public String toString() {
    return "TorchGenerator[seed=" + seed + ", kernel=" + kernel + "]";
  }
}
