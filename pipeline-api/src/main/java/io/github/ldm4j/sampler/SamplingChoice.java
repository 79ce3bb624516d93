package io.github.ldm4j.sampler;

import io.github.ldm4j.schedule.DiffusionSchedule;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * What a generation asks of the sampling machinery.
 *
 * @param sampler a registered sampler name; empty for the model's default
 * @param schedule a registered step-schedule name; empty for the model's default
 * @param steps sampler steps, ≥ 1
 * @param strength partial-denoising strength in (0, 1]; 1 starts from pure noise
 * @param diffusionSchedule the model's training noise schedule
 * @param schedulerConfig the model's {@code scheduler/scheduler_config.json}, if it has one
 */
public record SamplingChoice(
    Optional<String> sampler,
    Optional<String> schedule,
    int steps,
    double strength,
    DiffusionSchedule diffusionSchedule,
    Optional<Path> schedulerConfig) {

  /** Validates. */
  public SamplingChoice {
    Objects.requireNonNull(sampler, "sampler");
    Objects.requireNonNull(schedule, "schedule");
    Objects.requireNonNull(diffusionSchedule, "diffusionSchedule");
    Objects.requireNonNull(schedulerConfig, "schedulerConfig");
    if (steps < 1) {
      throw new IllegalArgumentException("steps must be >= 1, got " + steps);
    }
    if (!(strength > 0 && strength <= 1)) {
      throw new IllegalArgumentException("strength must be in (0, 1], got " + strength);
    }
  }
}
