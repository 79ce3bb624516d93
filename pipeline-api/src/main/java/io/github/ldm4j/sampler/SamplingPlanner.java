package io.github.ldm4j.sampler;

/**
 * Service-provider interface that turns a user's sampler / schedule choice (or the model's own
 * defaults from its {@code scheduler_config.json}) into a configured {@link Sampler} and the
 * {@link StepPlan} it runs, partial denoising included. The {@code ldm4j-samplers} module provides
 * it; the generation front ends find it with {@link SamplingPlanners#get()}.
 */
public interface SamplingPlanner {

  /**
   * Resolves a choice.
   *
   * @throws IllegalArgumentException for unknown names (listing the valid ones), steps or strength
   *     out of range, or a scheduler config that cannot be reproduced
   */
  PlannedSampling plan(SamplingChoice choice);

  /** The registered step-schedule names ("schedulers" in ComfyUI terms), sorted. */
  java.util.List<String> scheduleNames();
}
