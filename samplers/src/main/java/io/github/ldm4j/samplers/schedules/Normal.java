package io.github.ldm4j.samplers.schedules;

import io.github.ldm4j.schedule.DiffusionSchedule;

/**
 * ComfyUI {@code normal_scheduler}: timesteps evenly spaced from T−1 to 0, their σ by log-σ
 * interpolation ({@link DiffusionSchedule#tToSigma}), then 0 — {@code normal}: n points including
 * t = 0; {@code sgm_uniform}: n + 1 points with the last (t = 0) dropped.
 */
public final class Normal extends SigmaSchedule {

  /** The registered name of the plain variant. */
  public static final String NAME = "normal";

  /** The registered name of the SGM variant. */
  public static final String NAME_SGM = "sgm_uniform";

  private final boolean sgm;

  private Normal(boolean sgm) {
    super(sgm ? NAME_SGM : NAME);
    this.sgm = sgm;
  }

  /** {@value #NAME}. */
  public static Normal normal() {
    return new Normal(false);
  }

  /** {@value #NAME_SGM}. */
  public static Normal sgmUniform() {
    return new Normal(true);
  }

  @Override
  public double[] levels(DiffusionSchedule schedule, int steps) {
    double start = schedule.timesteps() - 1;
    double[] t = Plans.linspace(start, 0, sgm ? steps + 1 : steps);
    double[] out = new double[steps];
    for (int i = 0; i < steps; i++) {
      out[i] = schedule.tToSigma(t[i]);
    }
    return out;
  }
}
