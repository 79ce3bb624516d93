package io.github.ldm4j.samplers.schedules;

import io.github.ldm4j.sampler.StepPlan;
import io.github.ldm4j.samplers.StepScheduler;
import io.github.ldm4j.schedule.DiffusionSchedule;
import java.util.Objects;

/** Base of the schedules defined over integer timesteps: subclasses give the decreasing timesteps. */
public abstract class TimestepSchedule implements StepScheduler {

  private final String name;

  TimestepSchedule(String name) {
    this.name = name;
  }

  @Override
  public final String name() {
    return name;
  }

  @Override
  public final StepPlan.Kind nativeKind() {
    return StepPlan.Kind.TIMESTEPS;
  }

  @Override
  public StepPlan plan(DiffusionSchedule schedule, int steps, StepPlan.Kind kind) {
    Objects.requireNonNull(schedule, "schedule");
    Objects.requireNonNull(kind, "kind");
    StepPlan.Timesteps ts = timestepPlan(schedule, steps);
    return kind == StepPlan.Kind.TIMESTEPS ? ts : Plans.sigmaPlan(ts.values(), schedule);
  }

  /**
   * The timestep plan of a {@code steps}-step run: {@link #timesteps}, with the unrounded times where
   * the schedule has them.
   */
  protected StepPlan.Timesteps timestepPlan(DiffusionSchedule schedule, int steps) {
    return new StepPlan.Timesteps(timesteps(schedule, steps));
  }

  /**
   * The decreasing timesteps of a {@code steps}-step run.
   *
   * @throws IllegalArgumentException if {@code steps < 1} or they would not be distinct
   */
  public abstract int[] timesteps(DiffusionSchedule schedule, int steps);

  @Override
  public String toString() {
    return name;
  }
}
