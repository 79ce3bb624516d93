package io.github.ldm4j.samplers.kdiffusion;

import io.github.ldm4j.sampler.SamplerOptions;
import io.github.ldm4j.sampler.SdeNoise;
import io.github.ldm4j.samplers.internal.Knob;
import io.github.ldm4j.samplers.internal.NamedSamplerProvider;
import io.github.ldm4j.samplers.internal.SdeNoiseSampler;
import io.github.ldm4j.samplers.internal.SigmaRun;
import io.github.ldm4j.samplers.internal.SigmaSampler;
import io.github.ldm4j.tensor.Tensor;

/**
 * {@code dpmpp_2m_sde}: k-diffusion {@code sample_dpmpp_2m_sde} with the default {@code midpoint}
 * solver type: DPM-Solver++(2M) on the SDE with stochasticity η (default 1; η = 0 is {@link
 * Dpmpp2m}), noise σ<sub>i+1</sub>·√(1 − e<sup>−2ηh</sup>)·s_noise. The last step to σ = 0
 * returns D. Noise ({@link SdeNoise}, option {@code noise}): k-diffusion's Brownian tree by default
 * ({@link SdeNoiseSampler}), or independent unit Gaussians from the run's generator.
 */
public final class Dpmpp2mSde extends SigmaSampler {

  /** The registered name. */
  public static final String NAME = "dpmpp_2m_sde";

  private final double eta;
  private final double sNoise;
  private final SdeNoise noise;

  /** A DPM-Solver++(2M) SDE sampler; takes η (default 1) and s_noise. */
  public Dpmpp2mSde(SamplerOptions options) {
    super(NAME);
    Knob.requireOnly(NAME, options, Knob.ETA, Knob.S_NOISE, Knob.NOISE);
    this.eta = options.eta().orElse(1);
    this.sNoise = options.sNoise();
    this.noise = options.noise().orElse(SdeNoiseSampler.DEFAULT);
  }

  @Override
  protected Tensor run(SigmaRun r, Tensor x) {
    SdeNoiseSampler ns = SdeNoiseSampler.create(r, noise, NAME);
    Tensor old = null;
    double hLast = Double.NaN;
    for (int i = 0; i < r.steps(); i++) {
      double s = r.sigma(i);
      double next = r.sigma(i + 1);
      Tensor denoised = r.denoise(x, s);
      if (next == 0) {
        x = denoised;
      } else {
        double h = Math.log(s) - Math.log(next);
        double etaH = eta * h;
        double decay = next / s * Math.exp(-etaH);
        double c = -Math.expm1(-h - etaH);
        if (old == null) {
          x = Tensor.lincomb(decay, x, c, denoised);
        } else {
          double q = 0.5 * c / (hLast / h);
          x = Tensor.lincomb(decay, x, c + q, denoised, -q, old);
        }
        if (eta > 0 && sNoise > 0) {
          x = Tensor.lincomb(1, x, next * Math.sqrt(-Math.expm1(-2 * etaH)) * sNoise, ns.between(s, next));
        }
        hLast = h;
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
      super(NAME, Dpmpp2mSde::new);
    }
  }
}
