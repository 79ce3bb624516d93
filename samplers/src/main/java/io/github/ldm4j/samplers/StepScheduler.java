package io.github.ldm4j.samplers;

import io.github.ldm4j.sampler.StepPlan;
import io.github.ldm4j.schedule.DiffusionSchedule;

/**
 * A "scheduler" in ComfyUI's sense: which noise levels a run of {@code steps} steps visits. Each
 * is defined by its reference over σ ({@code karras}, {@code exponential}, {@code normal}, …) or
 * over discrete timesteps ({@code ddim_uniform}, diffusers' {@code leading}/{@code trailing}/{@code
 * linspace}, …) — its {@linkplain #nativeKind() native kind} — and can produce either kind of
 * {@link StepPlan}:
 *
 * <ul>
 *   <li>a timestep schedule as σ: σ(t<sub>i</sub>) of each timestep, then 0 (what diffusers' Euler,
 *       LMS, DPM-Solver… schedulers do with integer timesteps);
 *   <li>a σ schedule as timesteps: each σ's fractional timestep rounded to the nearest integer
 *       (what diffusers does for {@code use_karras_sigmas}), the final 0 dropped (timestep samplers
 *       end at ᾱ[0]), and repeats after rounding dropped — so the plan may have fewer steps.
 * </ul>
 *
 * Implementations are immutable and thread-safe; {@code steps < 1} is rejected.
 */
public interface StepScheduler {

  /** The registered name. */
  String name();

  /** The kind of plan the reference defines this schedule in. */
  StepPlan.Kind nativeKind();

  /**
   * The plan for a run of {@code steps} steps on {@code schedule}, as {@code kind}.
   *
   * @throws IllegalArgumentException if {@code steps < 1} or the schedule cannot give that many
   *     distinct levels
   */
  StepPlan plan(DiffusionSchedule schedule, int steps, StepPlan.Kind kind);

  /** {@link #plan(DiffusionSchedule, int, StepPlan.Kind)} in the {@linkplain #nativeKind() native kind}. */
  default StepPlan plan(DiffusionSchedule schedule, int steps) {
    return plan(schedule, steps, nativeKind());
  }
}
