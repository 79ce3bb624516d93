package io.github.ldm4j.samplers.kdiffusion;

import io.github.ldm4j.sampler.SamplerOptions;
import io.github.ldm4j.samplers.internal.KSteps;
import io.github.ldm4j.samplers.internal.Knob;
import io.github.ldm4j.samplers.internal.NamedSamplerProvider;
import io.github.ldm4j.samplers.internal.SigmaRun;
import io.github.ldm4j.samplers.internal.SigmaSampler;
import io.github.ldm4j.tensor.Tensor;

/**
 * {@code euler}: k-diffusion {@code sample_euler}, Euler steps of the probability-flow ODE
 * dx/dσ = (x − D(x, σ))/σ (Karras et al. 2022, Algorithm 2), with optional churn ({@code s_churn},
 * {@code s_tmin}, {@code s_tmax}, {@code s_noise}). First order; one model call per step.
 */
public final class Euler extends SigmaSampler {

  /** The registered name. */
  public static final String NAME = "euler";

  private final SamplerOptions options;

  /** An Euler sampler; takes the churn options and s_noise. */
  public Euler(SamplerOptions options) {
    super(NAME);
    Knob.requireOnly(NAME, options, Knob.CHURN, Knob.S_NOISE);
    this.options = options;
  }

  @Override
  protected Tensor run(SigmaRun r, Tensor x) {
    double[] hat = new double[1];
    for (int i = 0; i < r.steps(); i++) {
      x = KSteps.churn(r, options, i, x, hat);
      Tensor denoised = r.denoise(x, hat[0]);
      x = KSteps.euler(x, denoised, hat[0], r.sigma(i + 1));
      r.emit(i, hat[0], x, denoised);
    }
    return x;
  }

  /** Registers {@value #NAME}. */
  public static final class Provider extends NamedSamplerProvider {
    /** The instance {@link java.util.ServiceLoader} creates. */
    public Provider() {
      super(NAME, Euler::new);
    }
  }
}
