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
 */
public record GuidanceOptions(double scale, double rescale, GuidanceBatching batching) {

  /** Validates. */
  public GuidanceOptions {
    if (!Double.isFinite(scale) || scale < 0) {
      throw new IllegalArgumentException("guidance scale must be finite and >= 0, got " + scale);
    }
    if (!Double.isFinite(rescale) || rescale < 0 || rescale > 1) {
      throw new IllegalArgumentException("guidance rescale must be in [0, 1], got " + rescale);
    }
    Objects.requireNonNull(batching, "batching");
  }

  /** Scale {@code s}, no rescale, one batched call. */
  public static GuidanceOptions of(double scale) {
    return new GuidanceOptions(scale, 0, GuidanceBatching.BATCHED);
  }

  /** These options with guidance rescale φ. */
  public GuidanceOptions withRescale(double phi) {
    return new GuidanceOptions(scale, phi, batching);
  }

  /** These options with another batching. */
  public GuidanceOptions withBatching(GuidanceBatching b) {
    return new GuidanceOptions(scale, rescale, b);
  }

  /** True when the unconditional pass runs (s > 1). */
  public boolean guided() {
    return scale > 1;
  }
}
