package io.github.ldm4j.samplers.schedules;

import io.github.ldm4j.schedule.DiffusionSchedule;

/**
 * {@code lcm}: diffusers {@code LCMScheduler.set_timesteps}: the distillation grid of
 * {@code original_inference_steps} m (default 50) timesteps k·j − 1, j = 1..m, k = ⌊T/m⌋, is
 * sampled from the top at indices ⌊i·m/n⌋, i = 0..n−1. For T = 1000, n = 4: 999, 759, 499, 259.
 */
public final class LcmSchedule extends TimestepSchedule {

  /** The registered name. */
  public static final String NAME = "lcm";

  private final int originalSteps;

  /** An LCM schedule over a distillation grid of {@code originalSteps} steps. */
  public LcmSchedule(int originalSteps) {
    super(NAME);
    if (originalSteps < 1) {
      throw new IllegalArgumentException("original_inference_steps must be >= 1, got " + originalSteps);
    }
    this.originalSteps = originalSteps;
  }

  @Override
  public int[] timesteps(DiffusionSchedule schedule, int steps) {
    Plans.requireSteps(NAME, steps);
    int m = originalSteps;
    int k = schedule.timesteps() / m;
    if (k < 1) {
      throw new IllegalArgumentException(
          "original_inference_steps " + m + " exceeds the " + schedule.timesteps() + " training timesteps");
    }
    if (steps > m) {
      throw new IllegalArgumentException(
          "schedule 'lcm': " + steps + " steps exceed original_inference_steps = " + m);
    }
    int[] ts = new int[steps];
    for (int i = 0; i < steps; i++) {
      int idx = (int) Math.floor(i * ((double) m / steps));
      ts[i] = (m - idx) * k - 1; // origin grid reversed: index 0 is m·k − 1
    }
    return ts;
  }

  @Override
  public String toString() {
    return NAME + "[original_inference_steps=" + originalSteps + "]";
  }
}
