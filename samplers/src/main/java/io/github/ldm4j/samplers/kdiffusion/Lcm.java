package io.github.ldm4j.samplers.kdiffusion;

import io.github.ldm4j.sampler.SamplerOptions;
import io.github.ldm4j.samplers.internal.Knob;
import io.github.ldm4j.samplers.internal.NamedSamplerProvider;
import io.github.ldm4j.samplers.internal.SigmaRun;
import io.github.ldm4j.samplers.internal.SigmaSampler;
import io.github.ldm4j.tensor.Tensor;

/**
 * {@code lcm}: Latent Consistency Model multistep sampling as diffusers' {@code LCMScheduler.step}: at each level the consistency function f(x, t) = c<sub>skip</sub>(t)·x<sub>t</sub>
 * + c<sub>out</sub>(t)·x̂<sub>0</sub> is evaluated, with diffusers' discrete boundary condition
 * (σ<sub>data</sub> = 0.5, timestep scaling 10: c<sub>skip</sub> = σ<sub>data</sub>²/((10t)² +
 * σ<sub>data</sub>²), c<sub>out</sub> = 10t/√((10t)² + σ<sub>data</sub>²), x<sub>t</sub> the
 * variance-preserving sample); then fresh noise takes it to the next level: x = f + σ<sub>i+1</sub>·s_noise·z.
 * The last step returns f. Meant for LCM-distilled UNets (use the {@code lcm} schedule); stochastic.
 *
 * <p>ComfyUI's {@code sample_lcm} is the same loop with f = x̂<sub>0</sub> (no boundary condition in the
 * sampler): the two agree within 1.1e-7 on the 4-step lcm schedule (c<sub>skip</sub>(259) ≈ 4e-8) and part
 * only at small timesteps. Parity: {@code ReferenceParityTest}'s {@code lcm-*} fixtures, written by running
 * diffusers' scheduler with its draws replayed, match within 7.9e-7.
 */
public final class Lcm extends SigmaSampler {

  /** The registered name. */
  public static final String NAME = "lcm";

  /** diffusers' {@code timestep_scaling}. */
  public static final double TIMESTEP_SCALING = 10;

  /** σ<sub>data</sub> of the boundary condition. */
  public static final double SIGMA_DATA = 0.5;

  private final double sNoise;

  /** An LCM sampler; takes s_noise. */
  public Lcm(SamplerOptions options) {
    super(NAME);
    Knob.requireOnly(NAME, options, Knob.S_NOISE);
    this.sNoise = options.sNoise();
  }

  @Override
  protected Tensor run(SigmaRun r, Tensor x) {
    for (int i = 0; i < r.steps(); i++) {
      double s = r.sigma(i);
      double next = r.sigma(i + 1);
      Tensor x0 = r.denoise(x, s);
      double t = r.schedule().sigmaToT(s) * TIMESTEP_SCALING;
      double d2 = SIGMA_DATA * SIGMA_DATA;
      double cSkip = d2 / (t * t + d2);
      double cOut = t / Math.sqrt(t * t + d2);
      // c_skip multiplies the variance-preserving sample x_t = x / sqrt(1 + σ²).
      Tensor denoised = Tensor.lincomb(cOut, x0, cSkip / Math.sqrt(1 + s * s), x);
      x = next > 0 ? Tensor.lincomb(1, denoised, next * sNoise, r.randn()) : denoised;
      r.emit(i, s, x, denoised);
    }
    return x;
  }

  /** Registers {@value #NAME}. */
  public static final class Provider extends NamedSamplerProvider {
    /** The instance {@link java.util.ServiceLoader} creates. */
    public Provider() {
      super(NAME, Lcm::new);
    }
  }
}
