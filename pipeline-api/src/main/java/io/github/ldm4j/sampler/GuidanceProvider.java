package io.github.ldm4j.sampler;

import io.github.ldm4j.model.Conditioning;
import io.github.ldm4j.model.Denoiser;

/**
 * Service-provider interface for guidance: wraps a denoiser and a conditional / unconditional
 * conditioning pair into the single {@link ModelFunction} a sampler runs. Guidance always wraps the
 * model and never lives inside a sampler. Found by name with {@link Guidances}; the conditioning
 * module registers classifier-free guidance as {@code cfg}.
 */
public interface GuidanceProvider {

  /** The registered name. */
  String name();

  /**
   * The guided model function.
   *
   * @param scale guidance scale s (finite, ≥ 0)
   * @param rescale guidance rescale φ in [0, 1]
   * @throws IllegalArgumentException for invalid scales or conditioning the denoiser does not take
   */
  ModelFunction guide(Denoiser denoiser, Conditioning cond, Conditioning uncond, double scale, double rescale);
}
