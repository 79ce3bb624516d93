package io.github.ldm4j.samplers;

import io.github.ldm4j.sampler.StepPlan;
import io.github.ldm4j.schedule.DiffusionSchedule;
import java.util.Arrays;
import java.util.Objects;

/**
 * Plans for partial denoising (img2img, inpainting): start part-way down the schedule, at a
 * {@code strength} in (0, 1]. The sampler then noises the init latent to the plan's first level
 * with the run's noise (see {@link io.github.ldm4j.sampler.SamplingRun}).
 *
 * <ul>
 *   <li>Timestep plans, CompVis {@code t_enc} semantics ({@code scripts/img2img.py}): of the
 *       {@code steps}-step plan, the lowest t<sub>enc</sub> = ⌊strength·steps⌋ timesteps are run.
 *       (CompVis noises the init one DDIM step higher than the first timestep it then runs, and
 *       fails at strength 1; here the init is noised to the first planned timestep, as diffusers
 *       does.)
 *   <li>σ plans, ComfyUI {@code denoise} semantics ({@code KSampler.set_steps}): the schedule is
 *       built for ⌊steps/strength⌋ steps and its last {@code steps} steps are run.
 * </ul>
 */
public final class PartialDenoising {

  private PartialDenoising() {}

  /**
   * The plan of a {@code steps}-step run at {@code strength}, of the given kind.
   *
   * @throws IllegalArgumentException if strength is outside (0, 1] or leaves no step to run
   */
  public static StepPlan plan(StepScheduler scheduler, DiffusionSchedule schedule, int steps, double strength,
      StepPlan.Kind kind) {
    Objects.requireNonNull(scheduler, "scheduler");
    Objects.requireNonNull(schedule, "schedule");
    Objects.requireNonNull(kind, "kind");
    requireStrength(strength);
    if (steps < 1) {
      throw new IllegalArgumentException("steps must be >= 1, got " + steps);
    }
    return switch (kind) {
      case TIMESTEPS -> {
        StepPlan.Timesteps full = (StepPlan.Timesteps) scheduler.plan(schedule, steps, kind);
        yield truncate(full, steps, strength);
      }
      case SIGMAS -> {
        if (strength > 0.9999) {
          yield scheduler.plan(schedule, steps, kind);
        }
        int total = (int) (steps / strength);
        double[] all = ((StepPlan.Sigmas) scheduler.plan(schedule, total, kind)).values();
        int keep = Math.min(steps + 1, all.length);
        yield new StepPlan.Sigmas(Arrays.copyOfRange(all, all.length - keep, all.length));
      }
    };
  }

  /**
   * CompVis {@code t_enc} truncation of a timestep plan built for {@code steps} steps: its lowest
   * ⌊strength·steps⌋ timesteps (all of them at strength 1).
   */
  public static StepPlan.Timesteps truncate(StepPlan.Timesteps full, int steps, double strength) {
    requireStrength(strength);
    int tEnc = (int) (strength * steps);
    if (tEnc < 1) {
      throw new IllegalArgumentException("strength " + strength + " with " + steps
          + " steps leaves no step to run (t_enc = floor(strength * steps) = 0)");
    }
    int n = full.steps();
    if (strength >= 1 || tEnc >= n) {
      return full;
    }
    return full.range(n - tEnc, n);
  }

  private static void requireStrength(double strength) {
    if (!(strength > 0 && strength <= 1)) {
      throw new IllegalArgumentException("strength must be in (0, 1], got " + strength);
    }
  }
}
