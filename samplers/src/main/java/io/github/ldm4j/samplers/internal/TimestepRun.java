package io.github.ldm4j.samplers.internal;

import io.github.ldm4j.model.Parameterization;
import io.github.ldm4j.sampler.SamplingRun;
import io.github.ldm4j.sampler.StepEvent;
import io.github.ldm4j.sampler.StepPlan;
import io.github.ldm4j.schedule.DiffusionSchedule;
import io.github.ldm4j.tensor.Tensor;

/**
 * One run of a timestep (CompVis family) sampler: the timesteps, the starting latent, and model
 * evaluation at integer timesteps with ε / x<sub>0</sub> conversions through {@link Parameterization}.
 *
 * <p>A {@link StepPlan.Sigmas} plan converts only when it is exact: every σ but the last must be the
 * σ of a training timestep (relative tolerance 1e-6, so float32-rounded σ from other tools pass)
 * and the last must be 0 or σ(0) — timestep samplers always end at ᾱ[0]. Anything else is
 * rejected.
 */
public final class TimestepRun {

  /** Relative tolerance for recognising a σ as a training timestep's σ. */
  static final double SIGMA_MATCH_RTOL = 1e-6;

  private final SamplingRun run;
  private final DiffusionSchedule schedule;
  private final int[] ts;
  private final double[] times;

  private TimestepRun(SamplingRun run, int[] ts) {
    this.run = run;
    this.schedule = run.schedule();
    this.ts = ts;
    this.times = run.plan() instanceof StepPlan.Timesteps plan ? plan.times() : plan(ts).times();
  }

  private static StepPlan.Timesteps plan(int[] ts) {
    return new StepPlan.Timesteps(ts);
  }

  /** Starts a run; {@code sampler} names the sampler in error messages. */
  public static TimestepRun start(SamplingRun run, String sampler) {
    return new TimestepRun(run, timestepsOf(run.plan(), run.schedule(), sampler));
  }

  /**
   * The unrounded time of step {@code i} ({@link StepPlan.Timesteps#times}; for a converted σ plan its
   * timestep).
   */
  public double time(int i) {
    return times[i];
  }

  /** The timesteps of {@code plan}, converting an exact σ plan (see the class comment). */
  public static int[] timestepsOf(StepPlan plan, DiffusionSchedule schedule, String sampler) {
    int[] ts = switch (plan) {
      case StepPlan.Timesteps t -> t.values();
      case StepPlan.Sigmas s -> fromSigmas(s, schedule, sampler);
    };
    for (int t : ts) {
      if (t >= schedule.timesteps()) {
        throw new IllegalArgumentException(
            "timestep " + t + " is outside the schedule's [0, " + schedule.timesteps() + ")");
      }
    }
    return ts;
  }

  private static int[] fromSigmas(StepPlan.Sigmas plan, DiffusionSchedule schedule, String sampler) {
    int n = plan.steps();
    double last = plan.at(n);
    String hint = " Build the plan for StepPlan.Kind.TIMESTEPS (StepScheduler.plan(schedule, steps, TIMESTEPS)).";
    if (!(last == 0 || close(last, schedule.sigmaMin()))) {
      throw new IllegalArgumentException(
          "sampler '" + sampler + "' runs on discrete timesteps and always ends at alpha_bar[0]; the sigma plan ends at "
              + last + ", expected 0 or sigma_min = " + schedule.sigmaMin() + "." + hint);
    }
    int[] ts = new int[n];
    for (int i = 0; i < n; i++) {
      double s = plan.at(i);
      int t = (int) Math.round(schedule.sigmaToT(s));
      if (!close(s, schedule.sigma(t))) {
        throw new IllegalArgumentException(
            "sampler '" + sampler + "' runs on discrete timesteps; sigma " + s + " at position " + i
                + " is not the sigma of a training timestep (nearest t = " + t + " has sigma " + schedule.sigma(t)
                + ")." + hint);
      }
      ts[i] = t;
    }
    return new StepPlan.Timesteps(ts).values();
  }

  private static boolean close(double a, double b) {
    return Math.abs(a - b) <= SIGMA_MATCH_RTOL * Math.abs(b);
  }

  /** Number of steps. */
  public int steps() {
    return ts.length;
  }

  /** The timestep of step {@code i}. */
  public int timestep(int i) {
    return ts[i];
  }

  /** Copy of the timesteps. */
  public int[] timesteps() {
    return ts.clone();
  }

  /** The schedule. */
  public DiffusionSchedule schedule() {
    return schedule;
  }

  /** The model's parameterization. */
  public Parameterization parameterization() {
    return run.parameterization();
  }

  /** ᾱ at step {@code i}'s timestep. */
  public double alphaBar(int i) {
    return schedule.alphaBar(ts[i]);
  }

  /**
   * ᾱ that step {@code i} steps to: that of the next timestep, and ᾱ[0] after the last (CompVis
   * {@code ddim_alphas_prev}; diffusers {@code set_alpha_to_one=False}).
   */
  public double alphaBarNext(int i) {
    return i + 1 < ts.length ? schedule.alphaBar(ts[i + 1]) : schedule.alphaBar(0);
  }

  /**
   * The starting latent x<sub>T</sub>: the noise itself, or for partial denoising CompVis {@code
   * stochastic_encode}: √ᾱ·init + √(1−ᾱ)·noise at the first timestep.
   */
  public Tensor initialLatent() {
    return initialLatent(alphaBar(0));
  }

  /** {@link #initialLatent()} with the first level's ᾱ given (a sampler's own ᾱ at a fractional time). */
  public Tensor initialLatent(double ab) {
    return run.init()
        .map(init -> Tensor.lincomb(Math.sqrt(ab), init, Math.sqrt(1 - ab), run.noise()))
        .orElse(run.noise());
  }

  /**
   * The raw model output at {@code x}, timestep {@code t}. Checks cancellation first.
   *
   * @throws java.util.concurrent.CancellationException if the run was cancelled
   */
  public Tensor model(Tensor x, double t) {
    run.cancellation().throwIfCancelled();
    Tensor out = run.model().apply(x, t);
    SigmaRun.requireOutput(out, x, t);
    return out;
  }

  /** ε implied by model output {@code out} at {@code x} with cumulative alpha {@code alphaBar}. */
  public Tensor eps(Tensor out, Tensor x, double alphaBar) {
    return run.parameterization().toEps(out, x, alphaBar);
  }

  /** x<sub>0</sub> implied by model output {@code out} at {@code x} with cumulative alpha {@code alphaBar}. */
  public Tensor x0(Tensor out, Tensor x, double alphaBar) {
    return run.parameterization().toX0(out, x, alphaBar);
  }

  /** Fresh unit Gaussian noise of the latent's shape from the run's generator. */
  public Tensor randn() {
    return run.rng().randn(run.noise().shape());
  }

  /** Reports step {@code i} to the listener. */
  public void emit(int i, Tensor x, Tensor denoised) {
    int t = ts[i];
    run.listener().onStep(new StepEvent(i, ts.length, t, schedule.sigma(t), x, denoised));
  }
}
