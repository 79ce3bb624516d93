package io.github.ldm4j.diffusion;

import io.github.ldm4j.sampler.SamplingRun;
import io.github.ldm4j.sampler.StepEvent;
import io.github.ldm4j.sampler.StepPlan;
import io.github.ldm4j.schedule.DiffusionSchedule;
import io.github.ldm4j.tensor.Tensor;
import java.util.Objects;

/**
 * CompVis {@code p_sample_loop}: the ancestral DDPM reverse process over every timestep from
 * {@code start_T − 1} down to 0 (T − 1 … 0 for the full loop), one {@link ReverseProcess#pSample}
 * per timestep.
 *
 * <p>It runs a {@link SamplingRun} whose plan is {@link #fullPlan} or {@link #plan(int)}: it starts
 * from the run's noise (CompVis x<sub>T</sub> = randn, drawn by the caller), or with an {@code init}
 * latent from {@code q_sample(init, plan[0], noise)}; each step draws its noise from the run's RNG
 * (also at t = 0, where it is masked out, as the reference does), checks the cancellation token
 * before the model is called and reports a {@link StepEvent} (x after the step and the step's
 * x̂<sub>0</sub>) to the listener.
 */
public final class AncestralSampling {

  private AncestralSampling() {}

  /** The plan of the full loop: T − 1, T − 2, …, 0. */
  public static StepPlan.Timesteps fullPlan(DiffusionSchedule schedule) {
    return plan(schedule.timesteps());
  }

  /** The plan of a loop started at CompVis {@code start_T}: start_T − 1, …, 0. */
  public static StepPlan.Timesteps plan(int startT) {
    if (startT < 1) {
      throw new IllegalArgumentException("start_T must be >= 1, got " + startT);
    }
    int[] t = new int[startT];
    for (int i = 0; i < startT; i++) {
      t[i] = startT - 1 - i;
    }
    return new StepPlan.Timesteps(t);
  }

  /**
   * Runs the loop.
   *
   * @param run the model, its parameterization, the schedule, a plan of consecutive timesteps
   *     ending at 0, the starting noise, optional init latent, the RNG for per-step noise, listener
   *     and cancellation
   * @param clipDenoised CompVis {@code clip_denoised}: clamp each x̂<sub>0</sub> to [−1, 1]
   * @return x<sub>0</sub>
   * @throws IllegalArgumentException for a plan that is not consecutive timesteps down to 0
   * @throws java.util.concurrent.CancellationException when the run's token is cancelled
   */
  public static Tensor pSampleLoop(SamplingRun run, boolean clipDenoised) {
    Objects.requireNonNull(run, "run");
    if (!(run.plan() instanceof StepPlan.Timesteps plan)) {
      throw new IllegalArgumentException(
          "the ancestral DDPM loop needs a timestep plan, got " + run.plan().getClass().getSimpleName());
    }
    int n = plan.steps();
    if (plan.at(n - 1) != 0 || plan.at(0) != n - 1) {
      throw new IllegalArgumentException(
          "the ancestral DDPM loop visits every timestep from start_T - 1 down to 0; got a plan of " + n
              + " steps from " + plan.at(0) + " to " + plan.at(n - 1));
    }
    DiffusionSchedule schedule = run.schedule();
    ReverseProcess reverse = new ReverseProcess(schedule);
    Tensor x = run.init()
        .map(init -> new ForwardProcess(schedule).qSample(init, Steps.uniform(init.dim(0), plan.at(0)), run.noise()))
        .orElseGet(() -> run.noise().copy());
    for (int i = 0; i < n; i++) {
      run.cancellation().throwIfCancelled();
      int t = plan.at(i);
      ReverseProcess.Step step = reverse.pSample(run.model(), run.parameterization(), x, t, run.rng(), clipDenoised);
      x = step.sample();
      run.listener().onStep(new StepEvent(i, n, t, schedule.sigma(t), x, step.predictedX0()));
    }
    return x;
  }
}
