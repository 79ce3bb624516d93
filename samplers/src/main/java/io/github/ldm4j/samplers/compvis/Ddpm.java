package io.github.ldm4j.samplers.compvis;

import io.github.ldm4j.sampler.SamplerOptions;
import io.github.ldm4j.samplers.internal.Knob;
import io.github.ldm4j.samplers.internal.NamedSamplerProvider;
import io.github.ldm4j.samplers.internal.TimestepRun;
import io.github.ldm4j.samplers.internal.TimestepSampler;
import io.github.ldm4j.schedule.DiffusionSchedule;
import io.github.ldm4j.tensor.Tensor;

/**
 * {@code ddpm}: the ancestral sampler of CompVis {@code DDPM.p_sample}, on the plan's timesteps
 * taken as a respaced chain (improved-DDPM respacing): between consecutive plan timesteps t and s
 * the chain has α = ᾱ<sub>t</sub>/ᾱ<sub>s</sub>, β = 1 − α, and each step samples the posterior
 * q(x<sub>s</sub> | x<sub>t</sub>, x̂<sub>0</sub>):
 *
 * <pre>
 *   mean = β·√ᾱ_s/(1−ᾱ_t)·x̂0 + (1−ᾱ_s)·√α/(1−ᾱ_t)·x_t
 *   var  = (1 − v)·β·(1−ᾱ_s)/(1−ᾱ_t) + v·β           (v = the schedule's v_posterior)
 *   x_s  = mean + exp(½·log max(var, 1e-20))·z
 * </pre>
 *
 * On the full schedule these are exactly CompVis' {@code posterior_mean_coef1/2} and {@code
 * posterior_variance}. After the last plan timestep the chain ends at ᾱ = 1 (the respaced chain's
 * ᾱ<sub>prev</sub>[0]), without noise, so the result is x̂<sub>0</sub>. No x̂<sub>0</sub> clipping
 * (CompVis clips to [−1, 1] by default, which is meaningless for latents). One model call per
 * step; noise from the run's generator.
 */
public final class Ddpm extends TimestepSampler {

  /** The registered name. */
  public static final String NAME = "ddpm";

  /** A DDPM sampler; takes no options. */
  public Ddpm(SamplerOptions options) {
    super(NAME);
    Knob.requireOnly(NAME, options);
  }

  /**
   * The step from ᾱ<sub>t</sub> to ᾱ<sub>s</sub> ({@code alphaBarPrev} = 1 for the final step) of
   * the respaced chain: {posterior mean coefficient of x̂0, of x<sub>t</sub>, noise standard
   * deviation}.
   */
  public static double[] posterior(DiffusionSchedule schedule, double alphaBar, double alphaBarPrev) {
    double alpha = alphaBar / alphaBarPrev;
    double beta = 1 - alpha;
    double v = schedule.vPosterior();
    double coef1 = beta * Math.sqrt(alphaBarPrev) / (1 - alphaBar);
    double coef2 = (1 - alphaBarPrev) * Math.sqrt(alpha) / (1 - alphaBar);
    double var = (1 - v) * beta * (1 - alphaBarPrev) / (1 - alphaBar) + v * beta;
    double std = Math.exp(0.5 * Math.log(Math.max(var, 1e-20)));
    return new double[] {coef1, coef2, std};
  }

  @Override
  protected Tensor run(TimestepRun r, Tensor x) {
    int n = r.steps();
    for (int i = 0; i < n; i++) {
      int t = r.timestep(i);
      double a = r.alphaBar(i);
      boolean last = i == n - 1;
      double prev = last ? 1 : r.alphaBarNext(i);
      Tensor out = r.model(x, t);
      Tensor x0 = r.x0(out, x, a);
      double[] p = posterior(r.schedule(), a, prev);
      x = Tensor.lincomb(p[0], x0, p[1], x);
      if (!last) {
        x.addScaledInPlace(r.randn(), p[2]);
      }
      r.emit(i, x, x0);
    }
    return x;
  }

  /** Registers {@value #NAME}. */
  public static final class Provider extends NamedSamplerProvider {
    /** The instance {@link java.util.ServiceLoader} creates. */
    public Provider() {
      super(NAME, Ddpm::new);
    }
  }
}
