package io.github.ldm4j.samplers.kdiffusion;

import io.github.ldm4j.sampler.SamplerOptions;
import io.github.ldm4j.samplers.internal.Knob;
import io.github.ldm4j.samplers.internal.NamedSamplerProvider;
import io.github.ldm4j.samplers.internal.SigmaRun;
import io.github.ldm4j.samplers.internal.SigmaSampler;
import io.github.ldm4j.tensor.Tensor;

/**
 * {@code dpmpp_2m}: k-diffusion {@code sample_dpmpp_2m}, DPM-Solver++(2M): a multistep
 * exponential integrator in λ = −log σ on the data prediction, extrapolating D linearly from the
 * previous step. The first step and the last step (to σ = 0) are first order. One model call per
 * step. No options.
 */
public final class Dpmpp2m extends SigmaSampler {

  /** The registered name. */
  public static final String NAME = "dpmpp_2m";

  /** A DPM-Solver++(2M) sampler; takes no options. */
  public Dpmpp2m(SamplerOptions options) {
    super(NAME);
    Knob.requireOnly(NAME, options);
  }

  @Override
  protected Tensor run(SigmaRun r, Tensor x) {
    Tensor old = null;
    for (int i = 0; i < r.steps(); i++) {
      double s = r.sigma(i);
      double next = r.sigma(i + 1);
      Tensor denoised = r.denoise(x, s);
      if (next == 0) {
        x = denoised;
      } else {
        double h = Math.log(s) - Math.log(next);
        double c = -Math.expm1(-h);
        if (old == null) {
          x = Tensor.lincomb(next / s, x, c, denoised);
        } else {
          double hLast = Math.log(r.sigma(i - 1)) - Math.log(s);
          double q = 1 / (2 * (hLast / h));
          x = Tensor.lincomb(next / s, x, c * (1 + q), denoised, -c * q, old);
        }
      }
      old = denoised;
      r.emit(i, s, x, denoised);
    }
    return x;
  }

  /** Registers {@value #NAME}. */
  public static final class Provider extends NamedSamplerProvider {
    /** The instance {@link java.util.ServiceLoader} creates. */
    public Provider() {
      super(NAME, Dpmpp2m::new);
    }
  }
}
