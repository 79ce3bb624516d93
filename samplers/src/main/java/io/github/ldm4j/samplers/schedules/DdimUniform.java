package io.github.ldm4j.samplers.schedules;

import io.github.ldm4j.schedule.DiffusionSchedule;

/**
 * {@code ddim_uniform}: CompVis {@code make_ddim_timesteps(..., "uniform")} and ComfyUI {@code
 * ddim_scheduler}: c = max(⌊T/n⌋, 1), timesteps 1, 1 + c, 1 + 2c, … below T, visited from the
 * top (then σ = 0; CompVis DDIM ends at ᾱ[0]). For SD's T = 1000 and n = 50: 981, 961, …, 21, 1.
 * As in both references, when c does not divide T there are more than n steps (e.g. 31 for n = 30).
 */
public final class DdimUniform extends TimestepSchedule {

  /** The registered name. */
  public static final String NAME = "ddim_uniform";

  /** The DDIM uniform schedule. */
  public DdimUniform() {
    super(NAME);
  }

  @Override
  public int[] timesteps(DiffusionSchedule schedule, int steps) {
    Plans.requireSteps(NAME, steps);
    int n = schedule.timesteps();
    int c = Math.max(n / steps, 1);
    int count = (n - 1 + c - 1) / c; // x = 1, 1 + c, … < n
    int[] ts = new int[count];
    for (int k = 0; k < count; k++) {
      ts[k] = 1 + k * c;
    }
    return Plans.reverse(ts);
  }
}
