package io.github.ldm4j.samplers.schedules;

import io.github.ldm4j.sampler.StepPlan;
import io.github.ldm4j.samplers.ScheduleOptions;
import io.github.ldm4j.samplers.ScheduleOptions.SpacingGrid;
import io.github.ldm4j.schedule.DiffusionSchedule;
import java.util.Arrays;
import java.util.Objects;

/**
 * diffusers' {@code timestep_spacing} ({@code set_timesteps} of its schedulers; Lin et al. 2023,
 * Table 2), with T training timesteps and S steps:
 *
 * <ul>
 *   <li>{@code leading}: ⌊T/S⌋·(0..S−1) + {@code steps_offset} ({@link SpacingGrid#SOLVER}:
 *       ⌊T/(S+1)⌋·(0..S), the lowest dropped, + offset);
 *   <li>{@code trailing}: round(T, T − T/S, …) − 1 (numpy {@code arange}, half-to-even rounding);
 *   <li>{@code linspace}: round(linspace(0, T−1, S)) ({@link SpacingGrid#SOLVER}: linspace over S + 1
 *       points, the lowest dropped).
 * </ul>
 *
 * visited from the top. As σ plans: σ(t<sub>i</sub>), then 0 — except {@code linspace} on the
 * {@link SpacingGrid#PLAIN} grid, whose σ plan is what diffusers' Euler/LMS/Heun/KDPM2 schedulers
 * build: unrounded timesteps with σ interpolated linearly between training σ ({@code np.interp}).
 */
public final class DiffusersSpacing extends TimestepSchedule {

  /** diffusers' {@code timestep_spacing} values. */
  public enum Spacing {
    /** {@code leading}. */
    LEADING("leading"),
    /** {@code trailing}. */
    TRAILING("trailing"),
    /** {@code linspace}. */
    LINSPACE("linspace");

    private final String configName;

    Spacing(String configName) {
      this.configName = configName;
    }

    /** The name in {@code scheduler_config.json}, and the registered schedule name. */
    public String configName() {
      return configName;
    }
  }

  private final Spacing spacing;
  private final int stepsOffset;
  private final SpacingGrid grid;

  /** A spacing with diffusers' {@code steps_offset} (used by {@code leading}) on {@code grid}. */
  public DiffusersSpacing(Spacing spacing, int stepsOffset, SpacingGrid grid) {
    super(Objects.requireNonNull(spacing, "spacing").configName());
    if (stepsOffset < 0) {
      throw new IllegalArgumentException("steps_offset must be >= 0, got " + stepsOffset);
    }
    this.spacing = spacing;
    this.stepsOffset = stepsOffset;
    this.grid = Objects.requireNonNull(grid, "grid");
  }

  /** The spacing from {@link ScheduleOptions}. */
  public static DiffusersSpacing of(Spacing spacing, ScheduleOptions options) {
    return new DiffusersSpacing(spacing, options.stepsOffset(), options.grid());
  }

  @Override
  public int[] timesteps(DiffusionSchedule schedule, int steps) {
    Plans.requireStepsWithin(name(), steps, schedule);
    int n = schedule.timesteps();
    boolean solver = grid == SpacingGrid.SOLVER;
    int[] ts = new int[steps];
    switch (spacing) {
      case LEADING -> {
        int ratio = n / (solver ? steps + 1 : steps);
        for (int i = 0; i < steps; i++) {
          ts[i] = (steps - 1 - i + (solver ? 1 : 0)) * ratio + stepsOffset;
        }
      }
      case TRAILING -> {
        double ratio = (double) n / steps;
        int len = (int) Math.ceil((0.0 - n) / -ratio);
        if (len != steps) {
          throw new IllegalStateException("trailing spacing produced " + len + " timesteps for " + steps + " steps");
        }
        for (int k = 0; k < steps; k++) {
          ts[k] = (int) Math.rint(n + k * -ratio) - 1;
        }
      }
      case LINSPACE -> {
        double[] l = Plans.linspace(0, n - 1, solver ? steps + 1 : steps);
        for (int i = 0; i < steps; i++) {
          ts[i] = (int) Math.rint(l[l.length - 1 - i]);
        }
      }
    }
    if (ts[0] >= n) {
      throw new IllegalArgumentException("schedule '" + name() + "' with steps_offset " + stepsOffset + " and "
          + steps + " steps reaches timestep " + ts[0] + ", outside [0, " + n + ")");
    }
    for (int i = 1; i < ts.length; i++) {
      if (ts[i] >= ts[i - 1]) {
        throw new IllegalArgumentException("schedule '" + name() + "' with " + steps
            + " steps repeats timesteps (" + Arrays.toString(Arrays.copyOf(ts, Math.min(ts.length, 12)))
            + "...); use fewer steps");
      }
    }
    return ts;
  }

  /**
   * {@inheritDoc} {@code linspace} carries its unrounded points: on the {@link SpacingGrid#SOLVER} grid
   * (T−1)·(1 − i/S), CompVis' DPM-Solver time grid ({@code time_uniform}; its final point t = 0 is where
   * every timestep plan ends).
   */
  @Override
  protected StepPlan.Timesteps timestepPlan(DiffusionSchedule schedule, int steps) {
    int[] ts = timesteps(schedule, steps);
    if (spacing != Spacing.LINSPACE) {
      return new StepPlan.Timesteps(ts);
    }
    double[] l = Plans.linspace(0, schedule.timesteps() - 1, grid == SpacingGrid.SOLVER ? steps + 1 : steps);
    double[] times = new double[steps];
    for (int i = 0; i < steps; i++) {
      times[i] = l[l.length - 1 - i];
    }
    return new StepPlan.Timesteps(ts, times);
  }

  @Override
  public StepPlan plan(DiffusionSchedule schedule, int steps, StepPlan.Kind kind) {
    if (kind == StepPlan.Kind.SIGMAS && spacing == Spacing.LINSPACE && grid == SpacingGrid.PLAIN) {
      Plans.requireStepsWithin(name(), steps, schedule);
      double[] t = Plans.linspace(0, schedule.timesteps() - 1, steps);
      double[] levels = new double[steps];
      for (int i = 0; i < steps; i++) {
        levels[i] = interpolateLinear(schedule, t[steps - 1 - i]);
      }
      return Plans.sigmaPlan(levels);
    }
    return super.plan(schedule, steps, kind);
  }

  /** numpy {@code interp(t, arange(T), sigmas)}: σ linear between neighbouring training timesteps. */
  static double interpolateLinear(DiffusionSchedule s, double t) {
    int lo = (int) Math.floor(t);
    if (lo >= s.timesteps() - 1) {
      return s.sigma(s.timesteps() - 1);
    }
    double w = t - lo;
    return (1 - w) * s.sigma(lo) + w * s.sigma(lo + 1);
  }

  @Override
  public String toString() {
    return name() + "[steps_offset=" + stepsOffset + ", grid=" + grid + "]";
  }
}
