package io.github.ldm4j.testkit.internal;

import io.github.ldm4j.export.onnx.TensorValues;
import io.github.ldm4j.export.sd.ParameterSpec;
import io.github.ldm4j.export.sd.Weights;
import java.nio.charset.StandardCharsets;

/**
 * Deterministic pseudo-random weights that depend only on (seed, tensor name, element index), so
 * that any element can be produced in any order: a SplitMix64 hash of a per-tensor base and the
 * element index, mapped to a uniform float.
 */
public final class SeededWeights {

  private static final long GOLDEN = 0x9E3779B97F4A7C15L;

  private SeededWeights() {
  }

  /** Uniform values in [center − bound, center + bound). */
  public static TensorValues.FloatFiller uniform(long seed, String tensorName, double center, double bound) {
    if (!(bound >= 0) || !Double.isFinite(bound) || !Double.isFinite(center)) {
      throw new IllegalArgumentException("bad uniform range " + center + " ± " + bound + " for " + tensorName);
    }
    long base = mix(seed ^ mix(fnv1a(tensorName)));
    return (start, dst, count) -> {
      for (int i = 0; i < count; i++) {
        dst[i] = (float) (center + bound * (2 * unit(base, start + i) - 1));
      }
    };
  }

  /**
   * The seeded source of the SD graph builders: every parameter uniform in its {@link
   * ParameterSpec}'s {@code center ± bound}, from (seed, name).
   */
  public static Weights weights(long seed) {
    return p -> uniform(seed, p.name(), p.center(), p.bound());
  }

  /** A uniform value in [0, 1) with 53 random bits, for element {@code index} of the stream {@code base}. */
  static double unit(long base, long index) {
    return (mix(base + (index + 1) * GOLDEN) >>> 11) * 0x1.0p-53;
  }

  /** SplitMix64 finaliser. */
  static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  private static long fnv1a(String s) {
    long h = 0xCBF29CE484222325L;
    for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
      h ^= b & 0xFF;
      h *= 0x100000001B3L;
    }
    return h;
  }
}
