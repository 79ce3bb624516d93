package io.github.ldm4j.samplers.kdiffusion;

import io.github.ldm4j.sampler.SamplerOptions;
import io.github.ldm4j.samplers.internal.KSteps;
import io.github.ldm4j.samplers.internal.Knob;
import io.github.ldm4j.samplers.internal.NamedSamplerProvider;
import io.github.ldm4j.samplers.internal.SigmaRun;
import io.github.ldm4j.samplers.internal.SigmaSampler;
import io.github.ldm4j.tensor.Tensor;

/**
 * {@code dpmpp_sde}: k-diffusion {@code sample_dpmpp_sde} (DPM-Solver++ stochastic, r = 1/2): two
 * ancestral DPM-Solver++ sub-steps per step, to the λ-midpoint and then to σ<sub>i+1</sub>, the
 * second using (1 − 1/(2r))·D + 1/(2r)·D<sub>2</sub>; the last step to σ = 0 returns D. η
 * (default 1), s_noise.
 *
 * <p>Noise: k-diffusion draws the two sub-steps' noise from a Brownian tree over σ, as the
 * normalised increments of one Brownian path W over [σ<sub>mid</sub>, σ<sub>i</sub>] and
 * [σ<sub>i+1</sub>, σ<sub>i</sub>] — overlapping intervals, so the two draws are correlated with
 * ρ = √((σ<sub>i</sub> − σ<sub>mid</sub>)/(σ<sub>i</sub> − σ<sub>i+1</sub>)). Here z₁ and z₂ = ρ·z₁ +
 * √(1 − ρ²)·z′ are built from independent unit Gaussians of the run's generator: the same joint
 * distribution (steps use disjoint intervals, so they are independent), a different random stream.
 */
public final class DpmppSde extends SigmaSampler {

  /** The registered name. */
  public static final String NAME = "dpmpp_sde";

  private static final double R = 0.5;

  private final double eta;
  private final double sNoise;

  /** A DPM-Solver++ SDE sampler; takes η (default 1) and s_noise. */
  public DpmppSde(SamplerOptions options) {
    super(NAME);
    Knob.requireOnly(NAME, options, Knob.ETA, Knob.S_NOISE);
    this.eta = options.eta().orElse(1);
    this.sNoise = options.sNoise();
  }

  @Override
  protected Tensor run(SigmaRun r, Tensor x) {
    double fac = 1 / (2 * R);
    for (int i = 0; i < r.steps(); i++) {
      double s = r.sigma(i);
      double next = r.sigma(i + 1);
      Tensor denoised = r.denoise(x, s);
      if (next == 0) {
        x = denoised;
      } else {
        double t = -Math.log(s);
        double h = -Math.log(next) - t;
        double sMid = Math.exp(-(t + h * R));
        // Step 1: to the midpoint.
        double[] du = KSteps.ancestral(s, sMid, eta);
        double tMid = -Math.log(du[0]);
        Tensor x2 = Tensor.lincomb(du[0] / s, x, -Math.expm1(t - tMid), denoised);
        boolean noisy = eta > 0 && sNoise > 0;
        Tensor z1 = noisy ? r.randn() : null;
        if (noisy) {
          x2 = Tensor.lincomb(1, x2, sNoise * du[1], z1);
        }
        Tensor denoised2 = r.denoise(x2, sMid);
        // Step 2: to σ_{i+1} with the combined prediction.
        du = KSteps.ancestral(s, next, eta);
        double tNext = -Math.log(du[0]);
        double c = -Math.expm1(t - tNext);
        x = Tensor.lincomb(du[0] / s, x, c * (1 - fac), denoised, c * fac, denoised2);
        if (noisy) {
          // Brownian increment over [σ_{i+1}, σ_i] given the one over [σ_mid, σ_i].
          double rho = Math.sqrt((s - sMid) / (s - next));
          double c2 = sNoise * du[1];
          x = Tensor.lincomb(1, x, c2 * rho, z1, c2 * Math.sqrt(1 - rho * rho), r.randn());
        }
      }
      r.emit(i, s, x, denoised);
    }
    return x;
  }

  /** Registers {@value #NAME}. */
  public static final class Provider extends NamedSamplerProvider {
    /** The instance {@link java.util.ServiceLoader} creates. */
    public Provider() {
      super(NAME, DpmppSde::new);
    }
  }
}
