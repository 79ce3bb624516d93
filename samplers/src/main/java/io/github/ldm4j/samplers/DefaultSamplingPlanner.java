package io.github.ldm4j.samplers;

import io.github.ldm4j.sampler.PlannedSampling;
import io.github.ldm4j.sampler.Sampler;
import io.github.ldm4j.sampler.SamplerOptions;
import io.github.ldm4j.sampler.Samplers;
import io.github.ldm4j.sampler.SamplingChoice;
import io.github.ldm4j.sampler.SamplingPlanner;
import io.github.ldm4j.samplers.diffusers.DiffusersSchedulers;
import io.github.ldm4j.samplers.diffusers.SamplerRecipe;
import java.util.List;
import java.util.Locale;

/**
 * The pipeline's {@link SamplingPlanner}: a named sampler and schedule, or the model's defaults from
 * its {@code scheduler_config.json} ({@link DiffusersSchedulers#recipe}), planned for the run's
 * steps and strength with {@link PartialDenoising}. Without a config the defaults are {@code
 * dpmpp_2m} with {@code karras} σ (AUTOMATIC1111's usual choice).
 */
public final class DefaultSamplingPlanner implements SamplingPlanner {

  /** The sampler used when neither the request nor the model names one. */
  public static final String FALLBACK_SAMPLER = "dpmpp_2m";

  /** The schedule used when neither the request nor the model names one. */
  public static final String FALLBACK_SCHEDULE = "karras";

  /** Used by {@link java.util.ServiceLoader}. */
  public DefaultSamplingPlanner() {}

  @Override
  public PlannedSampling plan(SamplingChoice choice) {
    SamplerRecipe recipe = choice.schedulerConfig().map(DiffusersSchedulers::recipe).orElse(null);
    String samplerName = choice.sampler().map(DefaultSamplingPlanner::key)
        .orElse(recipe != null ? recipe.sampler() : FALLBACK_SAMPLER);
    SamplerOptions samplerOptions = recipe != null && samplerName.equals(recipe.sampler())
        ? recipe.samplerOptions() : SamplerOptions.DEFAULTS;
    String scheduleName = choice.schedule().map(DefaultSamplingPlanner::key)
        .orElse(recipe != null ? recipe.schedule() : FALLBACK_SCHEDULE);
    ScheduleOptions scheduleOptions = recipe != null ? recipe.scheduleOptions() : ScheduleOptions.DEFAULTS;
    Sampler sampler = Samplers.create(samplerName, samplerOptions);
    StepScheduler scheduler = StepSchedulers.create(scheduleName, scheduleOptions);
    var plan = PartialDenoising.plan(
        scheduler, choice.diffusionSchedule(), choice.steps(), choice.strength(), sampler.planKind());
    boolean usedRecipe = recipe != null && choice.sampler().isEmpty() && choice.schedule().isEmpty();
    return new PlannedSampling(sampler, plan, samplerName, scheduleName, usedRecipe ? recipe.deviations() : List.of());
  }

  @Override
  public List<String> scheduleNames() {
    return StepSchedulers.names();
  }

  private static String key(String name) {
    return name.trim().toLowerCase(Locale.ROOT);
  }
}
