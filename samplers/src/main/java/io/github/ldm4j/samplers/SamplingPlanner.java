package io.github.ldm4j.samplers;

import io.github.ldm4j.sampler.Sampler;
import io.github.ldm4j.sampler.SamplerOptions;
import io.github.ldm4j.sampler.Samplers;
import io.github.ldm4j.samplers.ScheduleOptions.SpacingGrid;
import io.github.ldm4j.samplers.compvis.DpmSolver;
import io.github.ldm4j.samplers.diffusers.DiffusersSchedulers;
import io.github.ldm4j.samplers.diffusers.SamplerRecipe;
import java.util.List;
import java.util.Locale;

/**
 * Turns a user's sampler / schedule choice — or the model's defaults, the {@link SamplerRecipe} its
 * {@code scheduler_config.json} names ({@link DiffusersSchedulers#recipe}, parsed once when the model
 * is opened) — into a configured {@link Sampler} and the step plan it runs, planned for the run's
 * steps and strength with {@link PartialDenoising}. Without a recipe the defaults are {@code
 * dpmpp_2m} with {@code karras} σ (AUTOMATIC1111's usual choice). For {@code dpm_solver} / {@code
 * dpm_solver_eps} diffusers' {@code leading} / {@code linspace} spacings are taken on the solver grid
 * ({@link SpacingGrid#SOLVER}, as diffusers' DPM-Solver schedulers do), so {@code linspace} is CompVis'
 * DPM-Solver time grid: (T−1)·(1 − i/S), i &lt; S, e.g. 999, 949.05, …, 49.95 for 20 steps.
 */
public final class SamplingPlanner {

  /** The sampler used when neither the request nor the model names one. */
  public static final String FALLBACK_SAMPLER = "dpmpp_2m";

  /** The schedule used when neither the request nor the model names one. */
  public static final String FALLBACK_SCHEDULE = "karras";

  private SamplingPlanner() {}

  /**
   * Resolves a choice.
   *
   * @throws IllegalArgumentException for unknown names (listing the valid ones), or steps or
   *     strength out of range
   */
  public static PlannedSampling plan(SamplingChoice choice) {
    SamplerRecipe recipe = choice.recipe().orElse(null);
    String samplerName = choice.sampler().map(SamplingPlanner::key)
        .orElse(recipe != null ? recipe.sampler() : FALLBACK_SAMPLER);
    SamplerOptions samplerOptions = recipe != null && samplerName.equals(recipe.sampler())
        ? recipe.samplerOptions() : SamplerOptions.DEFAULTS;
    String scheduleName = choice.schedule().map(SamplingPlanner::key)
        .orElse(recipe != null ? recipe.schedule() : FALLBACK_SCHEDULE);
    ScheduleOptions scheduleOptions = recipe != null ? recipe.scheduleOptions() : ScheduleOptions.DEFAULTS;
    Sampler sampler = Samplers.create(samplerName, samplerOptions);
    if (sampler instanceof DpmSolver) {
      // diffusers' solver grid: linspace over S + 1 points, the last (t = 0, where the solver ends anyway)
      // dropped — CompVis' DPM-Solver time grid, not a final no-op step at t = 0 (PLAIN)
      scheduleOptions = scheduleOptions.withGrid(SpacingGrid.SOLVER);
    }
    StepScheduler scheduler = StepSchedulers.create(scheduleName, scheduleOptions);
    var plan = PartialDenoising.plan(
        scheduler, choice.diffusionSchedule(), choice.steps(), choice.strength(), sampler.planKind());
    boolean usedRecipe = recipe != null && choice.sampler().isEmpty() && choice.schedule().isEmpty();
    return new PlannedSampling(sampler, plan, samplerName, scheduleName, usedRecipe ? recipe.deviations() : List.of());
  }

  private static String key(String name) {
    return name.trim().toLowerCase(Locale.ROOT);
  }
}
