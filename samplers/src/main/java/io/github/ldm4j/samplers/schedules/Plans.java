package io.github.ldm4j.samplers.schedules;

import io.github.ldm4j.sampler.StepPlan;
import io.github.ldm4j.schedule.DiffusionSchedule;
import java.util.Arrays;

/** Conversions and numerics shared by the schedules. */
final class Plans {

  private Plans() {}

  /** numpy {@code linspace(a, b, n)}: a + i·(b − a)/(n − 1), the last exactly b; [a] for n = 1. */
  static double[] linspace(double a, double b, int n) {
    double[] out = new double[n];
    if (n == 1) {
      out[0] = a;
      return out;
    }
    double step = (b - a) / (n - 1);
    for (int i = 0; i < n; i++) {
      out[i] = a + i * step;
    }
    out[n - 1] = b;
    return out;
  }

  /** Throws unless {@code steps >= 1}. */
  static void requireSteps(String schedule, int steps) {
    if (steps < 1) {
      throw new IllegalArgumentException("schedule '" + schedule + "': steps must be >= 1, got " + steps);
    }
  }

  /** Throws unless {@code steps} fits the schedule's training timesteps. */
  static void requireStepsWithin(String schedule, int steps, DiffusionSchedule s) {
    requireSteps(schedule, steps);
    if (steps > s.timesteps()) {
      throw new IllegalArgumentException(
          "schedule '" + schedule + "': " + steps + " steps exceed the " + s.timesteps() + " training timesteps");
    }
  }

  /** σ levels (no trailing 0) as a σ plan ending at 0. */
  static StepPlan.Sigmas sigmaPlan(double[] levels) {
    double[] out = Arrays.copyOf(levels, levels.length + 1);
    return new StepPlan.Sigmas(out);
  }

  /** Integer timesteps as σ(t<sub>i</sub>), then 0. */
  static StepPlan.Sigmas sigmaPlan(int[] ts, DiffusionSchedule s) {
    double[] out = new double[ts.length + 1];
    for (int i = 0; i < ts.length; i++) {
      out[i] = s.sigma(ts[i]);
    }
    return new StepPlan.Sigmas(out);
  }

  /**
   * σ levels (no trailing 0) as timesteps: each σ's fractional timestep rounded half-to-even (numpy
   * {@code round}), repeats dropped.
   */
  static StepPlan.Timesteps timestepPlan(double[] levels, DiffusionSchedule s) {
    int[] ts = new int[levels.length];
    for (int i = 0; i < levels.length; i++) {
      ts[i] = (int) Math.rint(s.sigmaToT(levels[i]));
    }
    return new StepPlan.Timesteps(dedupeDescending(ts));
  }

  /** Drops repeated values from a non-increasing sequence. */
  static int[] dedupeDescending(int[] ts) {
    int[] out = new int[ts.length];
    int n = 0;
    for (int t : ts) {
      if (n == 0 || t != out[n - 1]) {
        out[n++] = t;
      }
    }
    return Arrays.copyOf(out, n);
  }

  /** Reverses in place and returns the array. */
  static int[] reverse(int[] a) {
    for (int i = 0, j = a.length - 1; i < j; i++, j--) {
      int tmp = a[i];
      a[i] = a[j];
      a[j] = tmp;
    }
    return a;
  }
}
