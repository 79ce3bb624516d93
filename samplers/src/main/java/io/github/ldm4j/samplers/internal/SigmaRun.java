package io.github.ldm4j.samplers.internal;

import io.github.ldm4j.model.Parameterization;
import io.github.ldm4j.sampler.SamplingRun;
import io.github.ldm4j.sampler.StepEvent;
import io.github.ldm4j.sampler.StepPlan;
import io.github.ldm4j.schedule.DiffusionSchedule;
import io.github.ldm4j.tensor.Tensor;

/**
 * One run of a σ (k-diffusion) sampler: the σ levels, the starting latent and the denoiser D(x, σ)
 * of k-diffusion's discrete-schedule wrappers.
 *
 * <p>D(x, σ) evaluates the model on the variance-preserving input c<sub>in</sub>·x, c<sub>in</sub> =
 * 1/√(σ² + 1), at the fractional timestep t = {@link DiffusionSchedule#sigmaToT}(σ) (k-diffusion's
 * unquantised {@code sigma_to_t}), and turns the output into x<sub>0</sub>: for eps models x − σ·ε
 * ({@code DiscreteEpsDDPMDenoiser}, c<sub>out</sub> = −σ), for v models ᾱ·x − √(1−ᾱ)·v ({@code
 * DiscreteVDDPMDenoiser}), for x0 models the output itself — the {@link Parameterization#toX0}
 * conversions at ᾱ = 1/(1 + σ²).
 *
 * <p>A {@link StepPlan.Timesteps} plan converts exactly: σ<sub>i</sub> = σ(t<sub>i</sub>), then 0.
 */
public final class SigmaRun {

  private final SamplingRun run;
  private final DiffusionSchedule schedule;
  private final double[] sigmas;
  private double lastT;

  private SigmaRun(SamplingRun run, double[] sigmas) {
    this.run = run;
    this.schedule = run.schedule();
    this.sigmas = sigmas;
  }

  /** Starts a run, converting a timestep plan to σ. */
  public static SigmaRun start(SamplingRun run) {
    return new SigmaRun(run, sigmasOf(run.plan(), run.schedule()));
  }

  /** The σ levels of {@code plan}: its own for a σ plan; σ(t<sub>i</sub>) then 0 for a timestep plan. */
  public static double[] sigmasOf(StepPlan plan, DiffusionSchedule schedule) {
    return switch (plan) {
      case StepPlan.Sigmas s -> s.values();
      case StepPlan.Timesteps ts -> {
        double[] out = new double[ts.steps() + 1];
        for (int i = 0; i < ts.steps(); i++) {
          out[i] = schedule.sigma(ts.at(i));
        }
        yield out;
      }
    };
  }

  /** Number of steps (σ intervals). */
  public int steps() {
    return sigmas.length - 1;
  }

  /** σ<sub>i</sub>. */
  public double sigma(int i) {
    return sigmas[i];
  }

  /** Copy of all σ levels. */
  public double[] sigmas() {
    return sigmas.clone();
  }

  /** The schedule. */
  public DiffusionSchedule schedule() {
    return schedule;
  }

  /**
   * The latent at σ<sub>0</sub>: σ<sub>0</sub>·noise (k-diffusion txt2img), or init + σ<sub>0</sub>·noise
   * for partial denoising.
   */
  public Tensor initialLatent() {
    double s0 = sigmas[0];
    return run.init()
        .map(init -> Tensor.lincomb(1, init, s0, run.noise()))
        .orElseGet(() -> run.noise().scale(s0));
  }

  /**
   * D(x, σ): the model's prediction of x<sub>0</sub>. Checks cancellation first.
   *
   * @throws java.util.concurrent.CancellationException if the run was cancelled
   */
  public Tensor denoise(Tensor x, double sigma) {
    run.cancellation().throwIfCancelled();
    double t = schedule.sigmaToT(sigma);
    double s2 = sigma * sigma;
    Tensor xIn = x.scale(1 / Math.sqrt(s2 + 1));
    Tensor out = run.model().apply(xIn, t);
    requireOutput(out, x, t);
    lastT = t;
    Parameterization p = run.parameterization();
    if (p == Parameterization.EPS) {
      // k-diffusion DiscreteEpsDDPMDenoiser: x + c_out·eps with c_out = −σ (= EPS.toX0 on c_in·x).
      return Tensor.lincomb(1, x, -sigma, out);
    }
    return p.toX0(out, xIn, 1 / (1 + s2));
  }

  /** The latent's shape. */
  public io.github.ldm4j.tensor.Shape latentShape() {
    return run.noise().shape();
  }

  /** The seeds of the run's random source ({@link io.github.ldm4j.random.RandomSource#seeds()}). */
  public java.util.List<Long> seeds() {
    return run.rng().seeds();
  }

  /** Fresh unit Gaussian noise of the latent's shape from the run's generator. */
  public Tensor randn() {
    return run.rng().randn(run.noise().shape());
  }

  /** Reports step {@code i} (model evaluated at σ {@code sigma}) to the listener. */
  public void emit(int i, double sigma, Tensor x, Tensor denoised) {
    run.listener().onStep(new StepEvent(i, steps(), timestepOf(sigma), sigma, x, denoised));
  }

  private double timestepOf(double sigma) {
    return sigma > 0 ? schedule.sigmaToT(sigma) : lastT;
  }

  static void requireOutput(Tensor out, Tensor x, double t) {
    if (out == null) {
      throw new IllegalStateException("model function returned null at timestep " + t);
    }
    if (!out.shape().equals(x.shape())) {
      throw new IllegalStateException(
          "model function returned shape " + out.shape() + " for latent " + x.shape() + " at timestep " + t);
    }
  }
}
