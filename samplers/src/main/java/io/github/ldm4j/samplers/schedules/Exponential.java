package io.github.ldm4j.samplers.schedules;

import io.github.ldm4j.schedule.DiffusionSchedule;

/**
 * {@code exponential}: k-diffusion {@code get_sigmas_exponential}: n levels evenly spaced in log σ
 * from σ<sub>max</sub> to σ<sub>min</sub>, then 0.
 */
public final class Exponential extends SigmaSchedule {

  /** The registered name. */
  public static final String NAME = "exponential";

  /** The exponential schedule. */
  public Exponential() {
    super(NAME);
  }

  @Override
  public double[] levels(DiffusionSchedule schedule, int steps) {
    double[] l = Plans.linspace(Math.log(schedule.sigmaMax()), Math.log(schedule.sigmaMin()), steps);
    for (int i = 0; i < l.length; i++) {
      l[i] = Math.exp(l[i]);
    }
    return l;
  }
}
