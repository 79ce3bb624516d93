package io.github.ldm4j.samplers;

import io.github.ldm4j.samplers.diffusers.SamplerRecipe;
import io.github.ldm4j.schedule.DiffusionSchedule;
import java.util.Objects;
import java.util.Optional;

/**
 * What a generation asks of the sampling machinery ({@link SamplingPlanner#plan}).
 *
 * @param sampler a registered sampler name; empty for the model's default
 * @param schedule a registered step-schedule name; empty for the model's default
 * @param steps sampler steps, ≥ 1
 * @param strength partial-denoising strength in (0, 1]; 1 starts from pure noise
 * @param diffusionSchedule the model's training noise schedule
 * @param recipe the model's default sampler from its {@code scheduler_config.json} (parsed at open), if it has one
 */
public record SamplingChoice(
    Optional<String> sampler,
    Optional<String> schedule,
    int steps,
    double strength,
    DiffusionSchedule diffusionSchedule,
    Optional<SamplerRecipe> recipe) {

  /** Validates. */
  public SamplingChoice {
    Objects.requireNonNull(sampler, "sampler");
    Objects.requireNonNull(schedule, "schedule");
    Objects.requireNonNull(diffusionSchedule, "diffusionSchedule");
    Objects.requireNonNull(recipe, "recipe");
    if (steps < 1) {
      throw new IllegalArgumentException("steps must be >= 1, got " + steps);
    }
    if (!(strength > 0 && strength <= 1)) {
      throw new IllegalArgumentException("strength must be in (0, 1], got " + strength);
    }
  }
}
