package io.github.ldm4j.generate;

import java.util.List;
import java.util.Objects;

/**
 * The images of one request and how they were made.
 *
 * @param images one per batch item, in order
 * @param sampler the sampler that ran
 * @param schedule the step schedule that ran
 * @param warnings what the user should know (truncated prompts, config deviations), empty when none
 */
public record GenerationResult(List<GeneratedImage> images, String sampler, String schedule, List<String> warnings) {

  /** Validates and copies. */
  public GenerationResult {
    images = List.copyOf(images);
    Objects.requireNonNull(sampler, "sampler");
    Objects.requireNonNull(schedule, "schedule");
    warnings = List.copyOf(warnings);
  }
}
