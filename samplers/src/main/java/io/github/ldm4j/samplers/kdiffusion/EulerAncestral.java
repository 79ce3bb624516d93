package io.github.ldm4j.samplers.kdiffusion;

import io.github.ldm4j.sampler.SamplerOptions;
import io.github.ldm4j.samplers.internal.KSteps;
import io.github.ldm4j.samplers.internal.Knob;
import io.github.ldm4j.samplers.internal.NamedSamplerProvider;
import io.github.ldm4j.samplers.internal.SigmaRun;
import io.github.ldm4j.samplers.internal.SigmaSampler;
import io.github.ldm4j.tensor.Tensor;

/**
 * {@code euler_ancestral}: k-diffusion {@code sample_euler_ancestral}. Each step takes an Euler step
 * down to σ<sub>down</sub> and adds fresh noise of scale s_noise·σ<sub>up</sub> ({@code
 * get_ancestral_step} with η, default 1). Stochastic: noise from the run's generator.
 */
public final class EulerAncestral extends SigmaSampler {

  /** The registered name. */
  public static final String NAME = "euler_ancestral";

  private final double eta;
  private final double sNoise;

  /** An ancestral Euler sampler; takes η (default 1) and s_noise. */
  public EulerAncestral(SamplerOptions options) {
    super(NAME);
    Knob.requireOnly(NAME, options, Knob.ETA, Knob.S_NOISE);
    this.eta = options.eta().orElse(1);
    this.sNoise = options.sNoise();
  }

  @Override
  protected Tensor run(SigmaRun r, Tensor x) {
    for (int i = 0; i < r.steps(); i++) {
      double s = r.sigma(i);
      Tensor denoised = r.denoise(x, s);
      double[] du = KSteps.ancestral(s, r.sigma(i + 1), eta);
      x = KSteps.euler(x, denoised, s, du[0]);
      if (du[1] > 0) {
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
      super(NAME, EulerAncestral::new);
    }
  }
}
