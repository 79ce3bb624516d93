package io.github.ldm4j.samplers.kdiffusion;

import io.github.ldm4j.sampler.SamplerOptions;
import io.github.ldm4j.samplers.internal.KSteps;
import io.github.ldm4j.samplers.internal.Knob;
import io.github.ldm4j.samplers.internal.NamedSamplerProvider;
import io.github.ldm4j.samplers.internal.SigmaRun;
import io.github.ldm4j.samplers.internal.SigmaSampler;
import io.github.ldm4j.tensor.Tensor;

/**
 * {@code dpmpp_2s_ancestral}: k-diffusion {@code sample_dpmpp_2s_ancestral}: a single-step
 * DPM-Solver++(2S) step (intermediate point at the λ-midpoint, λ = −log σ) down to
 * σ<sub>down</sub>, then fresh noise s_noise·σ<sub>up</sub> (η, default 1; η = 0 makes it the
 * deterministic second-order DPM-Solver++(2S)). The last step to σ = 0 is an Euler step. Two model
 * calls per step.
 */
public final class Dpmpp2sAncestral extends SigmaSampler {

  /** The registered name. */
  public static final String NAME = "dpmpp_2s_ancestral";

  private final double eta;
  private final double sNoise;

  /** A DPM-Solver++(2S) ancestral sampler; takes η (default 1) and s_noise. */
  public Dpmpp2sAncestral(SamplerOptions options) {
    super(NAME);
    Knob.requireOnly(NAME, options, Knob.ETA, Knob.S_NOISE);
    this.eta = options.eta().orElse(1);
    this.sNoise = options.sNoise();
  }

  @Override
  protected Tensor run(SigmaRun r, Tensor x) {
    for (int i = 0; i < r.steps(); i++) {
      double s = r.sigma(i);
      double next = r.sigma(i + 1);
      Tensor denoised = r.denoise(x, s);
      double[] du = KSteps.ancestral(s, next, eta);
      double down = du[0];
      if (down == 0) {
        x = KSteps.euler(x, denoised, s, down);
      } else {
        // t = −log σ; h = t_next − t; midpoint s = t + h/2 has σ = √(σ·σ_down).
        double h = Math.log(s) - Math.log(down);
        double mid = Math.sqrt(s * down);
        Tensor x2 = Tensor.lincomb(mid / s, x, -Math.expm1(-0.5 * h), denoised);
        Tensor denoised2 = r.denoise(x2, mid);
        x = Tensor.lincomb(down / s, x, -Math.expm1(-h), denoised2);
      }
      if (next > 0 && du[1] > 0) {
        x = Tensor.lincomb(1, x, sNoise * du[1], r.randn());
      }
      r.emit(i, s, x, denoised);
    }
    return x;
  }

  /** Registers {@value #NAME}. */
  public static final class Provider extends NamedSamplerProvider {
    /** The instance {@link java.util.ServiceLoader} creates. */
    public Provider() {
      super(NAME, Dpmpp2sAncestral::new);
    }
  }
}
