package io.github.ldm4j.conditioning.guidance;

import java.util.Objects;

/**
 * Classifier-free guidance settings.
 *
 * @param scale s in ε = ε<sub>u</sub> + s·(ε<sub>c</sub> − ε<sub>u</sub>); finite, ≥ 0. At s ≤ 1
 *     the unconditional pass is skipped and the conditional prediction is returned (diffusers'
 *     {@code do_classifier_free_guidance = guidance_scale > 1}; s = 1 is exactly that anyway)
 * @param rescale φ of guidance rescale (Lin et al. 2023, diffusers {@code guidance_rescale}) in
 *     [0, 1]; 0 disables it
 * @param batching one 2B call or two B calls
 * @param cutoffSigma the CFG cut-off σ<sub>min</sub>, finite, ≥ 0; 0 disables it: at a step whose σ
 *     is below it the unconditional pass is skipped and the conditional prediction returned, so the
 *     UNet runs at batch B instead of 2B (AUTOMATIC1111's {@code s_min_uncond}, "Negative Guidance
 *     minimum sigma", with its option "all steps" on; see {@link ClassifierFreeGuidance})
 */
public record GuidanceOptions(double scale, double rescale, GuidanceBatching batching, double cutoffSigma) {

  /** Validates. */
  public GuidanceOptions {
    if (!Double.isFinite(scale) || scale < 0) {
      throw new IllegalArgumentException("guidance scale must be finite and >= 0, got " + scale);
    }
    if (!Double.isFinite(rescale) || rescale < 0 || rescale > 1) {
      throw new IllegalArgumentException("guidance rescale must be in [0, 1], got " + rescale);
    }
    Objects.requireNonNull(batching, "batching");
    checkCutoffSigma(cutoffSigma);
  }

  /**
   * The CFG cut-off rule: finite and ≥ 0 (NaN refused).
   *
   * @throws IllegalArgumentException naming the value otherwise
   */
  public static void checkCutoffSigma(double sigma) {
    if (!(sigma >= 0) || !Double.isFinite(sigma)) {
      throw new IllegalArgumentException("CFG cut-off sigma must be finite and >= 0 (0 = off), got " + sigma);
    }
  }

  /** Scale {@code s}, no rescale, one batched call, no cut-off. */
  public static GuidanceOptions of(double scale) {
    return new GuidanceOptions(scale, 0, GuidanceBatching.BATCHED, 0);
  }

  /** These options with guidance rescale φ. */
  public GuidanceOptions withRescale(double phi) {
    return new GuidanceOptions(scale, phi, batching, cutoffSigma);
  }

  /** These options with another batching. */
  public GuidanceOptions withBatching(GuidanceBatching b) {
    return new GuidanceOptions(scale, rescale, b, cutoffSigma);
  }

  /** These options with the CFG cut-off at σ<sub>min</sub> = {@code sigma} (0 = off). */
  public GuidanceOptions withCutoffSigma(double sigma) {
    return new GuidanceOptions(scale, rescale, batching, sigma);
  }

  /** True when the unconditional pass runs (s > 1). */
  public boolean guided() {
    return scale > 1;
  }
}
