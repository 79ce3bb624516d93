package io.github.ldm4j.samplers.compvis;

import io.github.ldm4j.sampler.SamplerOptions;
import io.github.ldm4j.samplers.internal.Knob;
import io.github.ldm4j.samplers.internal.NamedSamplerProvider;
import io.github.ldm4j.samplers.internal.TimestepRun;
import io.github.ldm4j.samplers.internal.TimestepSampler;
import io.github.ldm4j.tensor.Tensor;

/**
 * {@code ddim}: CompVis {@code DDIMSampler.p_sample_ddim} over a timestep plan: with ᾱ<sub>t</sub>
 * at the current timestep and ᾱ<sub>prev</sub> at the next (ᾱ[0] after the last, as CompVis and
 * diffusers' {@code set_alpha_to_one=False}),
 *
 * <pre>
 *   x̂0 = (x − √(1−ᾱ_t)·ε)/√ᾱ_t
 *   σ_t = η·√((1−ᾱ_prev)/(1−ᾱ_t)·(1 − ᾱ_t/ᾱ_prev))
 *   x_prev = √ᾱ_prev·x̂0 + √(1 − ᾱ_prev − σ_t²)·ε + σ_t·z
 * </pre>
 *
 * η ≥ 0 (default 0, deterministic); with η = 1 on the full schedule each step is DDPM's ancestral
 * step. No x̂0 clipping. One model call per step; noise from the run's generator when η &gt; 0.
 */
public final class Ddim extends TimestepSampler {

  /** The registered name. */
  public static final String NAME = "ddim";

  private final double eta;

  /** A DDIM sampler; takes η (default 0). */
  public Ddim(SamplerOptions options) {
    super(NAME);
    Knob.requireOnly(NAME, options, Knob.ETA);
    this.eta = options.eta().orElse(0);
  }

  /**
   * CompVis {@code ddim_sigmas}: the standard deviation of the noise DDIM adds stepping from ᾱ to
   * ᾱ<sub>prev</sub> with stochasticity η.
   */
  public static double sigma(double eta, double alphaBar, double alphaBarPrev) {
    return eta * Math.sqrt((1 - alphaBarPrev) / (1 - alphaBar) * (1 - alphaBar / alphaBarPrev));
  }

  @Override
  protected Tensor run(TimestepRun r, Tensor x) {
    for (int i = 0; i < r.steps(); i++) {
      int t = r.timestep(i);
      double a = r.alphaBar(i);
      double prev = r.alphaBarNext(i);
      Tensor out = r.model(x, t);
      Tensor eps = r.eps(out, x, a);
      Tensor x0 = r.x0(out, x, a);
      double sigma = sigma(eta, a, prev);
      double dirSq = 1 - prev - sigma * sigma;
      if (dirSq < 0) {
        throw new IllegalArgumentException(
            "ddim eta " + eta + " is too large at timestep " + t + ": 1 - alpha_bar_prev - sigma^2 = " + dirSq + " < 0");
      }
      x = Tensor.lincomb(Math.sqrt(prev), x0, Math.sqrt(dirSq), eps);
      if (sigma > 0) {
        x.addScaledInPlace(r.randn(), sigma);
      }
      r.emit(i, x, x0);
    }
    return x;
  }

  /** Registers {@value #NAME}. */
  public static final class Provider extends NamedSamplerProvider {
    /** The instance {@link java.util.ServiceLoader} creates. */
    public Provider() {
      super(NAME, Ddim::new);
    }
  }
}
