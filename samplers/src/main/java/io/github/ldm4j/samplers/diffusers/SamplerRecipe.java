package io.github.ldm4j.samplers.diffusers;

import io.github.ldm4j.model.Parameterization;
import io.github.ldm4j.sampler.Sampler;
import io.github.ldm4j.sampler.SamplerOptions;
import io.github.ldm4j.sampler.Samplers;
import io.github.ldm4j.sampler.StepPlan;
import io.github.ldm4j.samplers.PartialDenoising;
import io.github.ldm4j.samplers.ScheduleOptions;
import io.github.ldm4j.samplers.StepScheduler;
import io.github.ldm4j.samplers.StepSchedulers;
import io.github.ldm4j.schedule.DiffusionSchedule;
import java.util.List;
import java.util.Objects;

/**
 * How to reproduce a diffusers scheduler with ldm4j: a registered sampler and its options, a
 * registered step schedule and its options, the training noise schedule and the model's
 * parameterization — plus, in words, every way the result can differ from diffusers' own.
 *
 * @param sampler the sampler's registered name
 * @param samplerOptions its options
 * @param schedule the step schedule's registered name
 * @param scheduleOptions its options
 * @param diffusionSchedule the training noise schedule
 * @param parameterization what the model predicts
 * @param deviations known differences from diffusers for this config; empty when it is reproduced
 *     exactly (up to floating-point details)
 */
public record SamplerRecipe(
    String sampler,
    SamplerOptions samplerOptions,
    String schedule,
    ScheduleOptions scheduleOptions,
    DiffusionSchedule diffusionSchedule,
    Parameterization parameterization,
    List<String> deviations) {

  /** Validates and copies. */
  public SamplerRecipe {
    Objects.requireNonNull(sampler, "sampler");
    Objects.requireNonNull(samplerOptions, "samplerOptions");
    Objects.requireNonNull(schedule, "schedule");
    Objects.requireNonNull(scheduleOptions, "scheduleOptions");
    Objects.requireNonNull(diffusionSchedule, "diffusionSchedule");
    Objects.requireNonNull(parameterization, "parameterization");
    deviations = List.copyOf(deviations);
  }

  /** The configured sampler. */
  public Sampler createSampler() {
    return Samplers.create(sampler, samplerOptions);
  }

  /** The configured step schedule. */
  public StepScheduler createScheduler() {
    return StepSchedulers.create(schedule, scheduleOptions);
  }

  /** The plan for {@code steps} steps, in the kind the sampler runs on. */
  public StepPlan plan(int steps) {
    return createScheduler().plan(diffusionSchedule, steps, createSampler().planKind());
  }

  /** The plan for {@code steps} steps at img2img {@code strength} (see {@link PartialDenoising}). */
  public StepPlan plan(int steps, double strength) {
    return PartialDenoising.plan(createScheduler(), diffusionSchedule, steps, strength, createSampler().planKind());
  }
}
