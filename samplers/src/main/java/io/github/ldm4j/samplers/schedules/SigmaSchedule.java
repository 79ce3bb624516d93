package io.github.ldm4j.samplers.schedules;

import io.github.ldm4j.sampler.StepPlan;
import io.github.ldm4j.samplers.StepScheduler;
import io.github.ldm4j.schedule.DiffusionSchedule;
import java.util.Objects;

/** Base of the schedules defined over σ: subclasses give the {@code steps} levels before the final 0. */
public abstract class SigmaSchedule implements StepScheduler {

  private final String name;

  SigmaSchedule(String name) {
    this.name = name;
  }

  @Override
  public final String name() {
    return name;
  }

  @Override
  public final StepPlan.Kind nativeKind() {
    return StepPlan.Kind.SIGMAS;
  }

  @Override
  public final StepPlan plan(DiffusionSchedule schedule, int steps, StepPlan.Kind kind) {
    Objects.requireNonNull(schedule, "schedule");
    Objects.requireNonNull(kind, "kind");
    Plans.requireSteps(name, steps);
    double[] levels = levels(schedule, steps);
    return kind == StepPlan.Kind.SIGMAS ? Plans.sigmaPlan(levels) : Plans.timestepPlan(levels, schedule);
  }

  /** The {@code steps} decreasing σ levels the model is evaluated at (the final 0 is appended). */
  public abstract double[] levels(DiffusionSchedule schedule, int steps);

  @Override
  public String toString() {
    return name;
  }
}
