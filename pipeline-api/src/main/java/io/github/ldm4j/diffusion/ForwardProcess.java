package io.github.ldm4j.diffusion;

import io.github.ldm4j.schedule.DiffusionSchedule;
import io.github.ldm4j.tensor.Tensor;
import java.util.Objects;

/**
 * The forward (noising) process q of CompVis {@code DDPM} over a {@link DiffusionSchedule}:
 * q(x<sub>t</sub> | x<sub>0</sub>) = N(√ᾱ<sub>t</sub>·x<sub>0</sub>, (1 − ᾱ<sub>t</sub>)·I) and
 * the posterior q(x<sub>t−1</sub> | x<sub>t</sub>, x<sub>0</sub>), plus the reference's
 * conversions from (x<sub>t</sub>, prediction) to x<sub>0</sub>.
 *
 * <p>Every method takes one integer timestep per batch item ({@code t[b]} in [0, T)), reads the
 * schedule's double buffers (CompVis {@code extract_into_tensor}) and rounds each output element
 * to float once. Inputs must be finite and shaped alike; otherwise {@link IllegalArgumentException}.
 * Immutable and thread-safe.
 */
public final class ForwardProcess {

  private final DiffusionSchedule schedule;

  /** The forward process of {@code schedule}. */
  public ForwardProcess(DiffusionSchedule schedule) {
    this.schedule = Objects.requireNonNull(schedule, "schedule");
  }

  /** The schedule. */
  public DiffusionSchedule schedule() {
    return schedule;
  }

  /**
   * CompVis {@code q_sample}: x<sub>t</sub> = √ᾱ<sub>t</sub>·x<sub>0</sub> + √(1 −
   * ᾱ<sub>t</sub>)·ε.
   *
   * @param x0 clean samples {@code [B, ...]}
   * @param t one timestep per batch item
   * @param noise ε, shaped like {@code x0}
   */
  public Tensor qSample(Tensor x0, int[] t, Tensor noise) {
    Steps.checkBatch("x0", x0);
    Steps.checkLike("noise", noise, x0);
    Steps.checkTimesteps("t", t, x0, schedule);
    return Tensor.lincombPerBatch(
        Steps.extract(t, schedule::sqrtAlphaBar), x0, Steps.extract(t, schedule::sqrtOneMinusAlphaBar), noise);
  }

  /**
   * CompVis {@code q_mean_variance}: mean √ᾱ<sub>t</sub>·x<sub>0</sub>, variance 1 −
   * ᾱ<sub>t</sub>, log-variance log(1 − ᾱ<sub>t</sub>).
   */
  public Gaussian qMeanVariance(Tensor x0, int[] t) {
    Steps.checkBatch("x0", x0);
    Steps.checkTimesteps("t", t, x0, schedule);
    Tensor mean = x0.scalePerBatch(Steps.extract(t, schedule::sqrtAlphaBar));
    double[] variance = Steps.extract(t, s -> 1 - schedule.alphaBar(s));
    return new Gaussian(mean, variance, Steps.extract(t, schedule::logOneMinusAlphaBar));
  }

  /**
   * CompVis {@code q_posterior}: q(x<sub>t−1</sub> | x<sub>t</sub>, x<sub>0</sub>) with mean
   * coef1·x<sub>0</sub> + coef2·x<sub>t</sub>, the posterior variance and its clipped log.
   */
  public Gaussian qPosterior(Tensor x0, Tensor xt, int[] t) {
    Steps.checkBatch("x0", x0);
    Steps.checkLike("x_t", xt, x0);
    Steps.checkTimesteps("t", t, x0, schedule);
    Tensor mean = Tensor.lincombPerBatch(
        Steps.extract(t, schedule::posteriorMeanCoef1), x0, Steps.extract(t, schedule::posteriorMeanCoef2), xt);
    return new Gaussian(
        mean, Steps.extract(t, schedule::posteriorVariance), Steps.extract(t, schedule::posteriorLogVarianceClipped));
  }

  /**
   * CompVis {@code predict_start_from_noise}: x<sub>0</sub> = √(1/ᾱ<sub>t</sub>)·x<sub>t</sub> −
   * √(1/ᾱ<sub>t</sub> − 1)·ε.
   */
  public Tensor predictStartFromNoise(Tensor xt, int[] t, Tensor noise) {
    Steps.checkBatch("x_t", xt);
    Steps.checkLike("noise", noise, xt);
    Steps.checkTimesteps("t", t, xt, schedule);
    double[] a = Steps.extract(t, schedule::sqrtRecipAlphaBar);
    double[] b = Steps.extract(t, s -> -schedule.sqrtRecipm1AlphaBar(s));
    return Tensor.lincombPerBatch(a, xt, b, noise);
  }

  /**
   * CompVis {@code predict_start_from_z_and_v} (SD 2.x): x<sub>0</sub> = √ᾱ<sub>t</sub>·x<sub>t</sub>
   * − √(1 − ᾱ<sub>t</sub>)·v.
   */
  public Tensor predictStartFromV(Tensor xt, int[] t, Tensor v) {
    Steps.checkBatch("x_t", xt);
    Steps.checkLike("v", v, xt);
    Steps.checkTimesteps("t", t, xt, schedule);
    double[] a = Steps.extract(t, schedule::sqrtAlphaBar);
    double[] b = Steps.extract(t, s -> -schedule.sqrtOneMinusAlphaBar(s));
    return Tensor.lincombPerBatch(a, xt, b, v);
  }

  /**
   * CompVis {@code get_v}: the velocity target v = √ᾱ<sub>t</sub>·ε − √(1 −
   * ᾱ<sub>t</sub>)·x<sub>0</sub>.
   */
  public Tensor velocity(Tensor x0, int[] t, Tensor noise) {
    Steps.checkBatch("x0", x0);
    Steps.checkLike("noise", noise, x0);
    Steps.checkTimesteps("t", t, x0, schedule);
    double[] a = Steps.extract(t, s -> -schedule.sqrtOneMinusAlphaBar(s));
    return Tensor.lincombPerBatch(a, x0, Steps.extract(t, schedule::sqrtAlphaBar), noise);
  }
}
