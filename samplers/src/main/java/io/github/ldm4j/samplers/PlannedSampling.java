package io.github.ldm4j.samplers;

import io.github.ldm4j.sampler.Sampler;
import io.github.ldm4j.sampler.StepPlan;
import java.util.List;
import java.util.Objects;

/**
 * A resolved {@link SamplingChoice}.
 *
 * @param sampler the configured sampler
 * @param plan the levels it visits
 * @param samplerName the sampler's registered name
 * @param scheduleName the step schedule's registered name
 * @param notes ways the result may differ from the reference the model's config names (empty when exact)
 */
public record PlannedSampling(Sampler sampler, StepPlan plan, String samplerName, String scheduleName, List<String> notes) {

  /** Validates and copies. */
  public PlannedSampling {
    Objects.requireNonNull(sampler, "sampler");
    Objects.requireNonNull(plan, "plan");
    Objects.requireNonNull(samplerName, "samplerName");
    Objects.requireNonNull(scheduleName, "scheduleName");
    notes = List.copyOf(notes);
  }
}
