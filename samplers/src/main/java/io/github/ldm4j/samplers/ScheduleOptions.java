package io.github.ldm4j.samplers;

/**
 * Parameters of the {@link StepScheduler}s that have them.
 *
 * @param stepsOffset diffusers {@code steps_offset}, added to {@code leading} timesteps (≥ 0)
 * @param grid how diffusers' {@code leading}/{@code linspace} spacings place their points
 * @param rho the Karras ρ (&gt; 0; 7 in the paper)
 * @param lcmOriginalSteps LCM's {@code original_inference_steps}, the distillation grid (≥ 1)
 */
public record ScheduleOptions(int stepsOffset, SpacingGrid grid, double rho, int lcmOriginalSteps) {

  /** diffusers' defaults: offset 0, {@link SpacingGrid#PLAIN}, ρ = 7, 50 original LCM steps. */
  public static final ScheduleOptions DEFAULTS = new ScheduleOptions(0, SpacingGrid.PLAIN, 7, 50);

  /** Validates. */
  public ScheduleOptions {
    if (stepsOffset < 0) {
      throw new IllegalArgumentException("steps_offset must be >= 0, got " + stepsOffset);
    }
    if (grid == null) {
      throw new IllegalArgumentException("grid must not be null");
    }
    if (!(rho > 0) || !Double.isFinite(rho)) {
      throw new IllegalArgumentException("rho must be finite and > 0, got " + rho);
    }
    if (lcmOriginalSteps < 1) {
      throw new IllegalArgumentException("LCM original_inference_steps must be >= 1, got " + lcmOriginalSteps);
    }
  }

  /** A copy with {@code steps_offset} set. */
  public ScheduleOptions withStepsOffset(int value) {
    return new ScheduleOptions(value, grid, rho, lcmOriginalSteps);
  }

  /** A copy with the grid set. */
  public ScheduleOptions withGrid(SpacingGrid value) {
    return new ScheduleOptions(stepsOffset, value, rho, lcmOriginalSteps);
  }

  /** A copy with ρ set. */
  public ScheduleOptions withRho(double value) {
    return new ScheduleOptions(stepsOffset, grid, value, lcmOriginalSteps);
  }

  /** A copy with LCM's {@code original_inference_steps} set. */
  public ScheduleOptions withLcmOriginalSteps(int value) {
    return new ScheduleOptions(stepsOffset, grid, rho, value);
  }

  /**
   * Where diffusers' {@code timestep_spacing} puts its points: the two conventions of its
   * schedulers. ({@code trailing} is the same in both.)
   */
  public enum SpacingGrid {
    /**
     * S points (DDIM, DDPM, PNDM, Euler, LMS, Heun, KDPM2 schedulers): {@code leading} =
     * (0..S−1)·⌊T/S⌋ + offset, {@code linspace} = linspace(0, T−1, S).
     */
    PLAIN,
    /**
     * S + 1 points with the last (lowest) dropped (DPM-Solver multistep/singlestep and UniPC
     * schedulers): {@code leading} = (0..S)·⌊T/(S+1)⌋ + offset, {@code linspace} =
     * linspace(0, T−1, S+1), both rounded.
     */
    SOLVER
  }
}
