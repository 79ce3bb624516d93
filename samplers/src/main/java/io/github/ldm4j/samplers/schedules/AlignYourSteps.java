package io.github.ldm4j.samplers.schedules;

import io.github.ldm4j.schedule.DiffusionSchedule;

/**
 * {@code align_your_steps} (ComfyUI's {@code AlignYourStepsScheduler} for SD1, AUTOMATIC1111's "Align
 * Your Steps"): the 10-step schedule NVIDIA published for Stable Diffusion 1.5 (Sabour et al. 2024,
 * "Align Your Steps"; the project's quick-start guide gives the timesteps 999, 850, 736, 645, 545,
 * 455, 343, 233, 124, 24, 0). The noise levels are the model's σ at those timesteps — for SD's
 * schedule exactly ComfyUI's {@code NOISE_LEVELS["SD1"]} (14.6146412293 … 0.0291671582, which are
 * SD's float64 σ at the published timesteps to all their ten decimals). For 10 steps the model is
 * evaluated at the first ten of them and the last becomes 0; for n ≠ 10 steps the eleven levels are
 * interpolated as ComfyUI does: log σ linear over a uniform grid, resampled at n + 1 uniform points
 * ({@code loglinear_interp}), of which the first n are the levels.
 *
 * <p>Published for SD 1.5's 1000-timestep training schedule: a model trained with another number
 * of timesteps is refused. SD 2.x shares the schedule, so it runs too (the published SDXL schedule
 * differs and is not here).
 */
public final class AlignYourSteps extends SigmaSchedule {

  /** The registered name (ComfyUI's scheduler name; A1111's label "Align Your Steps"). */
  public static final String NAME = "align_your_steps";

  /** The published SD 1.5 timesteps (NVIDIA's Align Your Steps quick-start guide), 10 steps and the end. */
  static final int[] SD15_TIMESTEPS = {999, 850, 736, 645, 545, 455, 343, 233, 124, 24, 0};

  /** The step count the schedule was published for. */
  public static final int PUBLISHED_STEPS = SD15_TIMESTEPS.length - 1;

  /** The Align Your Steps schedule. */
  public AlignYourSteps() {
    super(NAME);
  }

  @Override
  public double[] levels(DiffusionSchedule schedule, int steps) {
    Plans.requireSteps(NAME, steps);
    if (schedule.timesteps() != 1000) {
      throw new IllegalArgumentException("schedule '" + NAME + "' is published for SD 1.5's 1000 training timesteps; this model has "
          + schedule.timesteps());
    }
    int m = SD15_TIMESTEPS.length;
    double[] published = new double[m];
    for (int i = 0; i < m; i++) {
      published[i] = schedule.sigma(SD15_TIMESTEPS[i]);
    }
    double[] all = steps == PUBLISHED_STEPS ? published : logLinear(published, steps + 1);
    double[] out = new double[steps];
    System.arraycopy(all, 0, out, 0, steps);
    return out;
  }

  /**
   * {@code n} values log-linearly interpolated from the decreasing {@code levels}: log of the
   * reversed levels on numpy's {@code linspace(0, 1, len)}, evaluated as numpy's {@code interp} at
   * {@code linspace(0, 1, n)}, exponentiated and reversed back.
   */
  static double[] logLinear(double[] levels, int n) {
    int m = levels.length;
    double[] xs = Plans.linspace(0, 1, m);
    double[] ys = new double[m];
    for (int i = 0; i < m; i++) {
      ys[i] = Math.log(levels[m - 1 - i]);
    }
    double[] nx = Plans.linspace(0, 1, n);
    double[] out = new double[n];
    for (int i = 0; i < n; i++) {
      double x = nx[i];
      double y;
      if (x >= xs[m - 1]) {
        y = ys[m - 1];
      } else {
        int j = 0;
        while (xs[j + 1] <= x) {
          j++;
        }
        double slope = (ys[j + 1] - ys[j]) / (xs[j + 1] - xs[j]);
        y = slope * (x - xs[j]) + ys[j];
      }
      out[n - 1 - i] = Math.exp(y);
    }
    return out;
  }
}
