package io.github.ldm4j.samplers.kdiffusion;

import io.github.ldm4j.sampler.SamplerOptions;
import io.github.ldm4j.samplers.internal.KSteps;
import io.github.ldm4j.samplers.internal.Knob;
import io.github.ldm4j.samplers.internal.NamedSamplerProvider;
import io.github.ldm4j.samplers.internal.SigmaRun;
import io.github.ldm4j.samplers.internal.SigmaSampler;
import io.github.ldm4j.tensor.Tensor;

/**
 * {@code dpm_2}: k-diffusion {@code sample_dpm_2}, a DPM-Solver-2-inspired midpoint method: the
 * slope is re-evaluated at the geometric mean σ<sub>mid</sub> = √(σ<sub>i</sub>σ<sub>i+1</sub>)
 * (current k-diffusion's log-space lerp) and used for the whole step; the last step to σ = 0 is an
 * Euler step. Second order; two model calls per step. Takes churn and s_noise.
 */
public final class Dpm2 extends SigmaSampler {

  /** The registered name. */
  public static final String NAME = "dpm_2";

  private final SamplerOptions options;

  /** A DPM-2 sampler; takes the churn options and s_noise. */
  public Dpm2(SamplerOptions options) {
    super(NAME);
    Knob.requireOnly(NAME, options, Knob.CHURN, Knob.S_NOISE);
    this.options = options;
  }

  @Override
  protected Tensor run(SigmaRun r, Tensor x) {
    double[] hat = new double[1];
    for (int i = 0; i < r.steps(); i++) {
      x = KSteps.churn(r, options, i, x, hat);
      double s = hat[0];
      Tensor denoised = r.denoise(x, s);
      x = midpointStep(r, x, denoised, s, r.sigma(i + 1));
      r.emit(i, s, x, denoised);
    }
    return x;
  }

  /**
   * One DPM-2 step from σ to {@code target} given D(x, σ): Euler when {@code target} is 0, else
   * the log-midpoint method. Shared with {@link Dpm2Ancestral}.
   */
  static Tensor midpointStep(SigmaRun r, Tensor x, Tensor denoised, double sigma, double target) {
    if (target == 0) {
      return KSteps.euler(x, denoised, sigma, target);
    }
    double mid = Math.exp(0.5 * (Math.log(sigma) + Math.log(target)));
    Tensor x2 = KSteps.euler(x, denoised, sigma, mid);
    Tensor denoised2 = r.denoise(x2, mid);
    // x + d2·(target − σ), d2 = (x2 − D2)/mid
    double c = (target - sigma) / mid;
    return Tensor.lincomb(1, x, c, x2, -c, denoised2);
  }

  /** Registers {@value #NAME}. */
  public static final class Provider extends NamedSamplerProvider {
    /** The instance {@link java.util.ServiceLoader} creates. */
    public Provider() {
      super(NAME, Dpm2::new);
    }
  }
}
