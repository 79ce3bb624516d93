package io.github.ldm4j.samplers.kdiffusion;

import io.github.ldm4j.sampler.SamplerOptions;
import io.github.ldm4j.sampler.SdeNoise;
import io.github.ldm4j.samplers.internal.KSteps;
import io.github.ldm4j.samplers.internal.Knob;
import io.github.ldm4j.samplers.internal.NamedSamplerProvider;
import io.github.ldm4j.samplers.internal.SdeNoiseSampler;
import io.github.ldm4j.samplers.internal.SigmaRun;
import io.github.ldm4j.samplers.internal.SigmaSampler;
import io.github.ldm4j.tensor.Tensor;

/**
 * {@code dpmpp_sde}: k-diffusion {@code sample_dpmpp_sde} (DPM-Solver++ stochastic, r = 1/2): two
 * ancestral DPM-Solver++ sub-steps per step, to the λ-midpoint and then to σ<sub>i+1</sub>, the
 * second using (1 − 1/(2r))·D + 1/(2r)·D<sub>2</sub>; the last step to σ = 0 returns D. η
 * (default 1), s_noise.
 *
 * <p>Noise ({@link SdeNoise}, option {@code noise}): by default k-diffusion's Brownian tree over σ
 * ({@link SdeNoiseSampler}), the normalised increments of one Brownian path W over
 * [σ<sub>mid</sub>, σ<sub>i</sub>] and [σ<sub>i+1</sub>, σ<sub>i</sub>] — overlapping intervals,
 * so the two draws are correlated — reproducing k-diffusion, AUTOMATIC1111 and ComfyUI for a seed.
 * {@code independent} builds the same joint distribution from fresh Gaussians of the run's generator.
 */
public final class DpmppSde extends SigmaSampler {

  /** The registered name. */
  public static final String NAME = "dpmpp_sde";

  private static final double R = 0.5;

  private final double eta;
  private final double sNoise;
  private final SdeNoise noise;

  /** A DPM-Solver++ SDE sampler; takes η (default 1) and s_noise. */
  public DpmppSde(SamplerOptions options) {
    super(NAME);
    Knob.requireOnly(NAME, options, Knob.ETA, Knob.S_NOISE, Knob.NOISE);
    this.eta = options.eta().orElse(1);
    this.sNoise = options.sNoise();
    this.noise = options.noise().orElse(SdeNoiseSampler.DEFAULT);
  }

  @Override
  protected Tensor run(SigmaRun r, Tensor x) {
    SdeNoiseSampler ns = SdeNoiseSampler.create(r, noise, NAME);
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
        Tensor[] z = noisy ? noise(r, ns, s, next) : null;
        if (noisy) {
          x2 = Tensor.lincomb(1, x2, sNoise * du[1], z[0]);
        }
        Tensor denoised2 = r.denoise(x2, sMid);
        // Step 2: to σ_{i+1} with the combined prediction.
        du = KSteps.ancestral(s, next, eta);
        double tNext = -Math.log(du[0]);
        double c = -Math.expm1(t - tNext);
        x = Tensor.lincomb(du[0] / s, x, c * (1 - fac), denoised, c * fac, denoised2);
        if (noisy) {
          x = Tensor.lincomb(1, x, sNoise * du[1], z[1]);
        }
      }
      r.emit(i, s, x, denoised);
    }
    return x;
  }

  /**
   * The two sub-steps' unit noises, over [σ<sub>mid</sub>, σ<sub>i</sub>] and [σ<sub>i+1</sub>,
   * σ<sub>i</sub>]. Brownian: the tree is queried where k-diffusion queries it, at σ = e<sup>−t</sup>
   * of t = −log σ and of the midpoint t + h/2, computed in float32 as its σ tensors are.
   * Independent: z₁ and z₂ = ρ·z₁ + √(1 − ρ²)·z′ from fresh Gaussians, ρ = √((σ<sub>i</sub> −
   * σ<sub>mid</sub>)/(σ<sub>i</sub> − σ<sub>i+1</sub>)), the joint law of the two Brownian increments.
   */
  private static Tensor[] noise(SigmaRun r, SdeNoiseSampler ns, double s, double next) {
    if (ns.kind() == SdeNoise.BROWNIAN) {
      float t = -(float) Math.log((float) s);
      float tNext = -(float) Math.log((float) next);
      float h = tNext - t;
      float tMid = t + h * (float) R;
      float sigma = (float) Math.exp(-t);
      return new Tensor[] {
          ns.between(sigma, (float) Math.exp(-tMid)), ns.between(sigma, (float) Math.exp(-tNext))};
    }
    double sMid = Math.exp(-(-Math.log(s) + (Math.log(s) - Math.log(next)) * R));
    double rho = Math.sqrt((s - sMid) / (s - next));
    Tensor z1 = r.randn();
    return new Tensor[] {z1, Tensor.lincomb(rho, z1, Math.sqrt(1 - rho * rho), r.randn())};
  }

  /** Registers {@value #NAME}. */
  public static final class Provider extends NamedSamplerProvider {
    /** The instance {@link java.util.ServiceLoader} creates. */
    public Provider() {
      super(NAME, DpmppSde::new);
    }
  }
}
