package io.github.ldm4j.samplers.testing;

import io.github.ldm4j.model.Parameterization;
import io.github.ldm4j.sampler.ModelFunction;
import io.github.ldm4j.schedule.DiffusionSchedule;
import io.github.ldm4j.tensor.Tensor;

/**
 * The ideal denoiser for data N(μ, s²) (s = 0: the point mass μ), per element, in any
 * parameterization. With x<sub>t</sub> = √ᾱ·x<sub>0</sub> + √(1−ᾱ)·ε:
 * E[x<sub>0</sub> | x<sub>t</sub>] = μ + √ᾱ·s²·(x<sub>t</sub> − √ᾱ·μ)/(ᾱ·s² + 1 − ᾱ), ε̂ =
 * (x<sub>t</sub> − √ᾱ·x̂<sub>0</sub>)/√(1−ᾱ). ᾱ at a fractional timestep comes from {@link
 * DiffusionSchedule#alphaBarAt} (log-σ interpolation, the inverse of the samplers' {@code sigmaToT}).
 * Computed in double per element, rounded to float once.
 */
public final class AnalyticModel implements ModelFunction {

  private final DiffusionSchedule schedule;
  private final Parameterization parameterization;
  private final double mu;
  private final double s;
  private int calls;

  public AnalyticModel(DiffusionSchedule schedule, Parameterization parameterization, double mu, double s) {
    this.schedule = schedule;
    this.parameterization = parameterization;
    this.mu = mu;
    this.s = s;
  }

  /** The point mass at {@code xStar}. */
  public static AnalyticModel pointMass(DiffusionSchedule schedule, Parameterization p, double xStar) {
    return new AnalyticModel(schedule, p, xStar, 0);
  }

  @Override
  public Tensor apply(Tensor x, double t) {
    calls++;
    double ab = t == Math.rint(t) ? schedule.alphaBar((int) t) : schedule.alphaBarAt(t);
    double sa = Math.sqrt(ab);
    double s1 = Math.sqrt(1 - ab);
    double gain = sa * s * s / (ab * s * s + 1 - ab);
    Tensor out = Tensor.zeros(x.shape());
    for (int i = 0; i < x.size(); i++) {
      double xt = x.get(i);
      double x0 = mu + gain * (xt - sa * mu);
      double eps = (xt - sa * x0) / s1;
      double o = switch (parameterization) {
        case EPS -> eps;
        case X0 -> x0;
        case V -> sa * eps - s1 * x0;
      };
      out.set(i, (float) o);
    }
    return out;
  }

  /** Number of model evaluations so far. */
  public int calls() {
    return calls;
  }

  public double mu() {
    return mu;
  }

  public double s() {
    return s;
  }

  /**
   * The exact probability-flow ODE map in the variance-exploding variable: x(σ₁) = μ + (x(σ₀) −
   * μ)·√(s² + σ₁²)/√(s² + σ₀²).
   */
  public double flowVe(double x, double sigmaFrom, double sigmaTo) {
    return mu + (x - mu) * Math.sqrt(s * s + sigmaTo * sigmaTo) / Math.sqrt(s * s + sigmaFrom * sigmaFrom);
  }
}
