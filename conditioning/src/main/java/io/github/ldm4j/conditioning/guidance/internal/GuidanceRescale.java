package io.github.ldm4j.conditioning.guidance.internal;

import io.github.ldm4j.tensor.Tensor;

/**
 * Guidance rescale (Lin et al. 2023, "Common Diffusion Noise Schedules and Sample Steps are
 * Flawed", §3.4; diffusers {@code rescale_noise_cfg}): per batch item, with σ the sample standard
 * deviation (n − 1) over all axes but the batch, ε ← φ·ε·σ(ε<sub>c</sub>)/σ(ε) + (1 − φ)·ε.
 */
public final class GuidanceRescale {

  private GuidanceRescale() {}

  /**
   * Rescales {@code guided} in place toward the standard deviation of {@code conditional}. An item
   * whose guided prediction has zero spread is left as it is (the ratio is undefined there).
   */
  public static void apply(Tensor guided, Tensor conditional, double phi) {
    guided.requireSameShape("guidance rescale", conditional);
    int b = guided.dim(0);
    int n = guided.size() / b;
    for (int k = 0; k < b; k++) {
      double sc = std(conditional, k * n, n);
      double sg = std(guided, k * n, n);
      if (sg == 0) {
        continue;
      }
      double f = phi * (sc / sg) + (1 - phi);
      for (int i = k * n; i < (k + 1) * n; i++) {
        guided.set(i, (float) (guided.get(i) * f));
      }
    }
  }

  /** Sample standard deviation of {@code n} elements from {@code off} (two passes, double). */
  static double std(Tensor t, int off, int n) {
    if (n < 2) {
      return 0;
    }
    double mean = 0;
    for (int i = off; i < off + n; i++) {
      mean += t.get(i);
    }
    mean /= n;
    double ss = 0;
    for (int i = off; i < off + n; i++) {
      double d = t.get(i) - mean;
      ss += d * d;
    }
    return Math.sqrt(ss / (n - 1));
  }
}
