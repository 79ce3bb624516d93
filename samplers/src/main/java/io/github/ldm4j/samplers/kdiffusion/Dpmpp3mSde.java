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
 * {@code dpmpp_3m_sde}: k-diffusion {@code sample_dpmpp_3m_sde}, DPM-Solver++(3M) on the SDE with
 * stochasticity η (default 1; η = 0 gives the deterministic third-order multistep solver). Warms
 * up with first- and second-order steps; the last step to σ = 0 returns D. Noise ({@link SdeNoise},
 * option {@code noise}): k-diffusion's Brownian tree by default ({@link SdeNoiseSampler}), or
 * independent unit Gaussians from the run's generator.
 */
public final class Dpmpp3mSde extends SigmaSampler {

  /** The registered name. */
  public static final String NAME = "dpmpp_3m_sde";

  private final double eta;
  private final double sNoise;
  private final SdeNoise noise;

  /** A DPM-Solver++(3M) SDE sampler; takes η (default 1) and s_noise. */
  public Dpmpp3mSde(SamplerOptions options) {
    super(NAME);
    Knob.requireOnly(NAME, options, Knob.ETA, Knob.S_NOISE, Knob.NOISE);
    this.eta = options.eta().orElse(1);
    this.sNoise = options.sNoise();
    this.noise = options.noise().orElse(SdeNoiseSampler.DEFAULT);
  }

  @Override
  protected Tensor run(SigmaRun r, Tensor x) {
    SdeNoiseSampler ns = SdeNoiseSampler.create(r, noise, NAME);
    Tensor d1 = null;
    Tensor d2 = null;
    double h = Double.NaN;
    double h1 = Double.NaN;
    double h2 = Double.NaN;
    for (int i = 0; i < r.steps(); i++) {
      double s = r.sigma(i);
      double next = r.sigma(i + 1);
      Tensor denoised = r.denoise(x, s);
      if (next == 0) {
        x = denoised;
      } else {
        h = Math.log(s) - Math.log(next);
        double hEta = h * (eta + 1);
        double decay = next / s * Math.exp(-h * eta);
        double c = -Math.expm1(-hEta);
        double phi2 = Math.expm1(-hEta) / hEta + 1;
        if (d2 != null) {
          // DPM-Solver++(3M): first and second divided differences of D in λ.
          double r0 = h1 / h;
          double r1 = h2 / h;
          double phi3 = phi2 / hEta - 0.5;
          // d1_0 = (D − D1)/r0, d1_1 = (D1 − D2)/r1;
          // d1 = d1_0 + (d1_0 − d1_1)·r0/(r0 + r1); dd2 = (d1_0 − d1_1)/(r0 + r1)
          // x += phi2·d1 − phi3·dd2, expanded into coefficients of D, D1, D2.
          double k = r0 / (r0 + r1);
          double m = 1 / (r0 + r1);
          double a0 = 1 / r0;
          double a1 = -1 / r0;
          double b1 = 1 / r1;
          double b2 = -1 / r1;
          double cd = phi2 * (a0 + k * a0) - phi3 * m * a0;
          double cd1 = phi2 * (a1 + k * (a1 - b1)) - phi3 * m * (a1 - b1);
          double cd2 = phi2 * (-k * b2) + phi3 * m * b2;
          x = Tensor.lincomb(decay, x, c + cd, denoised, cd1, d1, cd2, d2);
        } else if (d1 != null) {
          // DPM-Solver++(2M) SDE (Heun-type correction, as k-diffusion's 3M warm-up).
          double q = phi2 / (h1 / h);
          x = Tensor.lincomb(decay, x, c + q, denoised, -q, d1);
        } else {
          x = Tensor.lincomb(decay, x, c, denoised);
        }
        if (eta > 0 && sNoise > 0) {
          x = Tensor.lincomb(1, x, next * Math.sqrt(-Math.expm1(-2 * eta * h)) * sNoise, ns.between(s, next));
        }
      }
      d2 = d1;
      d1 = denoised;
      h2 = h1;
      h1 = h;
      r.emit(i, s, x, denoised);
    }
    return x;
  }

  /** Registers {@value #NAME}. */
  public static final class Provider extends NamedSamplerProvider {
    /** The instance {@link java.util.ServiceLoader} creates. */
    public Provider() {
      super(NAME, Dpmpp3mSde::new);
    }
  }
}
