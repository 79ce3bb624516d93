package io.github.ldm4j.samplers.internal;

import io.github.ldm4j.sampler.SamplerOptions;
import io.github.ldm4j.tensor.Tensor;

/** Small pieces shared by the k-diffusion samplers ({@code k_diffusion/sampling.py}). */
public final class KSteps {

  private KSteps() {}

  /**
   * {@code get_ancestral_step}: the level σ<sub>down</sub> to step deterministically to and the
   * noise σ<sub>up</sub> to add so that the result has noise level {@code to}.
   *
   * @return {σ<sub>down</sub>, σ<sub>up</sub>}
   */
  public static double[] ancestral(double from, double to, double eta) {
    if (eta == 0) {
      return new double[] {to, 0};
    }
    double up = Math.min(to, eta * Math.sqrt(to * to * (from * from - to * to) / (from * from)));
    double down = Math.sqrt(to * to - up * up);
    return new double[] {down, up};
  }

  /**
   * Karras "churn" γ for step at σ: min(s_churn / steps, √2 − 1) inside [s_tmin, s_tmax], else 0.
   */
  public static double churnGamma(SamplerOptions o, int steps, double sigma) {
    if (o.sChurn() <= 0 || sigma < o.sTmin() || sigma > o.sTmax()) {
      return 0;
    }
    return Math.min(o.sChurn() / steps, Math.sqrt(2) - 1);
  }

  /**
   * Applies churn to {@code x} at step {@code i}: raises its noise level from σ<sub>i</sub> to
   * σ̂ = σ<sub>i</sub>(1 + γ) with fresh noise (Karras et al. Algorithm 2).
   *
   * <p>Noise: k-diffusion's {@code sample_euler}/{@code heun}/{@code dpm_2} draw {@code randn_like(x)} at
   * every step, churned or not. With s_churn &gt; 0 this draws at every step too, so that steps left
   * out by s_tmin/s_tmax consume their noise as the reference does (without churn the draws reach
   * nothing and none are taken).
   *
   * @return the latent at σ̂; {@code sigmaHat[0]} receives σ̂
   */
  public static Tensor churn(SigmaRun r, SamplerOptions o, int i, Tensor x, double[] sigmaHat) {
    double s = r.sigma(i);
    double gamma = churnGamma(o, r.steps(), s);
    double hat = s * (gamma + 1);
    sigmaHat[0] = hat;
    Tensor eps = o.sChurn() > 0 ? r.randn() : null;
    if (gamma > 0) {
      return Tensor.lincomb(1, x, o.sNoise() * Math.sqrt(hat * hat - s * s), eps);
    }
    return x;
  }

  /**
   * The Euler step of the probability-flow ODE from σ to σ<sub>next</sub> with derivative (x − D)/σ:
   * (σ<sub>next</sub>/σ)·x + (1 − σ<sub>next</sub>/σ)·D.
   */
  public static Tensor euler(Tensor x, Tensor denoised, double sigma, double sigmaNext) {
    double ratio = sigmaNext / sigma;
    return Tensor.lincomb(ratio, x, 1 - ratio, denoised);
  }
}
