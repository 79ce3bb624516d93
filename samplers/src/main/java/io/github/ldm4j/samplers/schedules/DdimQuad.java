package io.github.ldm4j.samplers.schedules;

import io.github.ldm4j.schedule.DiffusionSchedule;

/**
 * {@code ddim_quad}: CompVis {@code make_ddim_timesteps(..., "quad")}: ⌊linspace(0, √(0.8·T),
 * n)²⌋ + 1, visited from the top. The formula repeats small timesteps for larger n (e.g. 1, 1 for
 * n = 50); a repeated timestep is an identity step in CompVis DDIM/PLMS (ᾱ<sub>prev</sub> = ᾱ), so
 * repeats are dropped here and the plan can have fewer than n steps.
 */
public final class DdimQuad extends TimestepSchedule {

  /** The registered name. */
  public static final String NAME = "ddim_quad";

  /** The DDIM quadratic schedule. */
  public DdimQuad() {
    super(NAME);
  }

  @Override
  public int[] timesteps(DiffusionSchedule schedule, int steps) {
    Plans.requireSteps(NAME, steps);
    double[] l = Plans.linspace(0, Math.sqrt(schedule.timesteps() * .8), steps);
    int[] ts = new int[steps];
    for (int i = 0; i < steps; i++) {
      ts[i] = (int) (l[i] * l[i]) + 1;
    }
    return Plans.dedupeDescending(Plans.reverse(ts));
  }
}
