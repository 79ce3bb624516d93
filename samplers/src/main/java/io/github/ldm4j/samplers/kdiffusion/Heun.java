package io.github.ldm4j.samplers.kdiffusion;

import io.github.ldm4j.sampler.SamplerOptions;
import io.github.ldm4j.samplers.internal.KSteps;
import io.github.ldm4j.samplers.internal.Knob;
import io.github.ldm4j.samplers.internal.NamedSamplerProvider;
import io.github.ldm4j.samplers.internal.SigmaRun;
import io.github.ldm4j.samplers.internal.SigmaSampler;
import io.github.ldm4j.tensor.Tensor;

/**
 * {@code heun}: k-diffusion {@code sample_heun} (Karras et al. 2022, Algorithm 2): an Euler
 * predictor to σ<sub>i+1</sub> corrected with the average of both slopes; the last step to σ = 0 is
 * a plain Euler step. Second order; two model calls per step (one on the last). Takes churn and
 * s_noise.
 */
public final class Heun extends SigmaSampler {

  /** The registered name. */
  public static final String NAME = "heun";

  private final SamplerOptions options;

  /** A Heun sampler; takes the churn options and s_noise. */
  public Heun(SamplerOptions options) {
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
      double next = r.sigma(i + 1);
      Tensor denoised = r.denoise(x, s);
      if (next == 0) {
        x = KSteps.euler(x, denoised, s, next);
      } else {
        // x2 = x + d·dt; x = x + (d + d2)/2·dt with d = (x − D)/s, d2 = (x2 − D2)/next.
        double dt = next - s;
        Tensor x2 = KSteps.euler(x, denoised, s, next);
        Tensor denoised2 = r.denoise(x2, next);
        double a = dt / (2 * s);
        double b = dt / (2 * next);
        x = Tensor.lincomb(1 + a, x, -a, denoised, b, x2, -b, denoised2);
      }
      r.emit(i, s, x, denoised);
    }
    return x;
  }

  /** Registers {@value #NAME}. */
  public static final class Provider extends NamedSamplerProvider {
    /** The instance {@link java.util.ServiceLoader} creates. */
    public Provider() {
      super(NAME, Heun::new);
    }
  }
}
