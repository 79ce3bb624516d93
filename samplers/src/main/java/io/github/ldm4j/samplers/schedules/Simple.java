package io.github.ldm4j.samplers.schedules;

import io.github.ldm4j.schedule.DiffusionSchedule;

/**
 * ComfyUI {@code simple_scheduler}: every (T/n)-th training σ from the top: timestep T − 1 −
 * ⌊x·T/n⌋ for x = 0..n−1 (then σ = 0). Defined on training timesteps, so both plan kinds are exact.
 */
public final class Simple extends TimestepSchedule {

  /** The registered name. */
  public static final String NAME = "simple";

  /** The simple schedule. */
  public Simple() {
    super(NAME);
  }

  @Override
  public int[] timesteps(DiffusionSchedule schedule, int steps) {
    Plans.requireStepsWithin(NAME, steps, schedule);
    int n = schedule.timesteps();
    double ss = (double) n / steps;
    int[] ts = new int[steps];
    for (int x = 0; x < steps; x++) {
      ts[x] = n - 1 - (int) (x * ss);
    }
    return ts;
  }
}
