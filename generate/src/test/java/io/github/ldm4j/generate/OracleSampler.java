package io.github.ldm4j.generate;

import io.github.ldm4j.generate.GenerationSettings;
import io.github.ldm4j.random.RngKind;

/**
 * The three samplers the semantics tests run, each on its usual schedule, {@value #STEPS} steps,
 * with the MAE margin above the first stage's own reconstruction error that its final image may
 * have.
 *
 * <p>Margins (measured at 128 px, guidance 7.5, all 16 prompts): the k-diffusion samplers end at
 * σ = 0 on the denoiser's x̂₀, which the oracle makes exactly y_k, so their images <em>are</em> the
 * reconstructions (measured excess ≤ 0.001). DDIM ends at ᾱ[0] = 0.99915, not 1 (CompVis {@code
 * ddim_alphas_prev}, diffusers {@code set_alpha_to_one=False}), which leaves √(1 − ᾱ[0]) = 0.029 of
 * the predicted ε in the latent: 0.029 / 0.2895 (scale factor) / 8 (basis) · 127.5 ≈ 1.6 levels
 * standard deviation, ≈ 1.3 MAE (measured excess 1.30–1.39). Bound 2, as the testkit's.
 */
enum OracleSampler {
  /** CompVis DDIM (η = 0) on CompVis' {@code ddim_uniform} timesteps. */
  DDIM("ddim", "ddim_uniform", 2.0),
  /** k-diffusion Euler on Karras σ (ρ = 7). */
  EULER("euler", "karras", 0.25),
  /** k-diffusion DPM++ 2M on Karras σ. */
  DPMPP_2M("dpmpp_2m", "karras", 0.25);

  /** Steps of every semantics run. */
  static final int STEPS = 20;

  private final String sampler;
  private final String schedule;
  private final double margin;

  OracleSampler(String sampler, String schedule, double margin) {
    this.sampler = sampler;
    this.schedule = schedule;
    this.margin = margin;
  }

  /** The sampler name. */
  String sampler() {
    return sampler;
  }

  /** The schedule name. */
  String schedule() {
    return schedule;
  }

  /** Allowed MAE above the reconstruction error (0..255 units). */
  double margin() {
    return margin;
  }

  /** Settings for the oracle: its size, this sampler and schedule, {@value #STEPS} steps, guidance 7.5, torch seed. */
  GenerationSettings settings(ShapesOracle oracle, long seed) {
    return oracle.settings(sampler, schedule, STEPS).toBuilder().seed(seed, RngKind.TORCH).build();
  }

  @Override
  public String toString() {
    return sampler + "/" + schedule;
  }
}
