package io.github.ldm4j.samplers.compvis;

import io.github.ldm4j.sampler.SamplerOptions;
import io.github.ldm4j.samplers.internal.Knob;
import io.github.ldm4j.samplers.internal.NamedSamplerProvider;
import io.github.ldm4j.samplers.internal.TimestepRun;
import io.github.ldm4j.samplers.internal.TimestepSampler;
import io.github.ldm4j.sampler.StepPlan;
import io.github.ldm4j.schedule.DiffusionSchedule;
import io.github.ldm4j.tensor.Tensor;

/**
 * {@code dpm_solver} and {@code dpm_solver_eps}: the multistep DPM-Solver shipped with CompVis
 * ({@code ldm/models/diffusion/dpm_solver}, {@code method='multistep'}, {@code
 * solver_type='dpm_solver'}) on the discrete VP schedule: α<sub>t</sub> = √ᾱ<sub>t</sub>,
 * σ<sub>t</sub> = √(1−ᾱ<sub>t</sub>), λ = log α − log σ.
 *
 * <ul>
 *   <li>{@code dpm_solver}: DPM-Solver++ (data prediction, {@code predict_x0=True}), what CompVis'
 *       {@code DPMSolverSampler} runs;
 *   <li>{@code dpm_solver_eps}: the original DPM-Solver on the noise prediction.
 * </ul>
 *
 * <p>Time grid: the solver's points are the plan's {@linkplain StepPlan.Timesteps#times() times} and finally
 * t = 0 (ᾱ[0]; CompVis solves to t<sub>0</sub> = 1/N, whose model time is 0). The model is evaluated once
 * per step, at the plan's unrounded times: with the {@code linspace} schedule — which the {@link
 * io.github.ldm4j.samplers.SamplingPlanner} takes on diffusers' solver grid for this sampler — those are
 * CompVis' {@code time_uniform} points (T−1)·(1 − i/S), fractional, exactly where CompVis' {@code
 * DPMSolverSampler} calls the network. (Networks exported with an int64 timestep input get them rounded
 * to the nearest integer when fed, {@code TimestepForm.int64s}; float-timestep networks get them as they
 * are.) Other schedules give integer times. ᾱ, α = √ᾱ, σ = √(1−ᾱ) and λ at a fractional time are
 * CompVis' {@code NoiseScheduleVP('discrete')}: log α interpolated linearly between neighbouring training
 * timesteps; for partial denoising the init is noised with them to the first time.
 *
 * <p>Order 1..3 (default 2, as CompVis' sampler); the first steps warm up with lower orders and, with
 * fewer than 15 steps, the last ones come down again ({@code lower_order_final=True}, CompVis' setting:
 * step i of n has order min(order, i + 1, n − i), so the final step is first order). A step between two
 * equal levels (a plan ending at timestep 0) leaves x unchanged.
 */
public final class DpmSolver extends TimestepSampler {

  /** The registered name of DPM-Solver++. */
  public static final String NAME = "dpm_solver";

  /** The registered name of the noise-prediction DPM-Solver. */
  public static final String NAME_EPS = "dpm_solver_eps";

  /** CompVis' {@code DPMSolverSampler} order. */
  public static final int DEFAULT_ORDER = 2;

  /** {@code lower_order_final} applies to runs of fewer steps than this (CompVis' {@code steps < 15}). */
  public static final int LOWER_ORDER_FINAL_BELOW = 15;

  private final boolean predictX0;
  private final int order;

  private DpmSolver(String name, boolean predictX0, SamplerOptions options) {
    super(name);
    Knob.requireOnly(name, options, Knob.ORDER);
    this.predictX0 = predictX0;
    this.order = Knob.order(name, options, 1, 3, DEFAULT_ORDER);
  }

  /** DPM-Solver++ ({@value #NAME}); takes the order (1..3, default 2). */
  public static DpmSolver plusPlus(SamplerOptions options) {
    return new DpmSolver(NAME, true, options);
  }

  /** Noise-prediction DPM-Solver ({@value #NAME_EPS}); takes the order (1..3, default 2). */
  public static DpmSolver noisePrediction(SamplerOptions options) {
    return new DpmSolver(NAME_EPS, false, options);
  }

  /** The order of step {@code i} of {@code n}: warm-up, then {@code lower_order_final} below 15 steps. */
  static int stepOrder(int order, int i, int n) {
    int k = Math.min(order, i + 1);
    return n < LOWER_ORDER_FINAL_BELOW ? Math.min(k, n - i) : k;
  }

  /**
   * ᾱ at a (fractional) model time, as CompVis' {@code NoiseScheduleVP('discrete')}: log √ᾱ linear
   * between the neighbouring training timesteps (exact at integers).
   */
  public static double alphaBar(DiffusionSchedule schedule, double t) {
    if (!(t >= 0 && t <= schedule.timesteps() - 1)) {
      throw new IllegalArgumentException("time " + t + " is outside [0, " + (schedule.timesteps() - 1) + "]");
    }
    int lo = (int) Math.floor(t);
    if (lo == t) {
      return schedule.alphaBar(lo);
    }
    double w = t - lo;
    return Math.exp((1 - w) * Math.log(schedule.alphaBar(lo)) + w * Math.log(schedule.alphaBar(lo + 1)));
  }

  @Override
  protected Tensor initialLatent(TimestepRun r) {
    return r.initialLatent(alphaBar(r.schedule(), r.time(0)));
  }

  @Override
  protected Tensor run(TimestepRun r, Tensor x) {
    int n = r.steps();
    Tensor[] models = new Tensor[order];
    double[] lambdas = new double[order];
    for (int i = 0; i < n; i++) {
      double t = r.time(i);
      double a = alphaBar(r.schedule(), t);
      double next = i + 1 < n ? alphaBar(r.schedule(), r.time(i + 1)) : r.schedule().alphaBar(0);
      Tensor out = r.model(x, t);
      Tensor x0 = r.x0(out, x, a);
      Tensor m = predictX0 ? x0 : r.eps(out, x, a);
      // shift the history: newest at index order − 1
      System.arraycopy(models, 1, models, 0, order - 1);
      System.arraycopy(lambdas, 1, lambdas, 0, order - 1);
      models[order - 1] = m;
      lambdas[order - 1] = lambda(a);
      x = update(x, models, lambdas, a, next, stepOrder(order, i, n));
      r.emit(i, x, x0);
    }
    return x;
  }

  private static double lambda(double alphaBar) {
    return 0.5 * Math.log(alphaBar) - 0.5 * Math.log(1 - alphaBar);
  }

  /** One multistep update of order {@code k} from ᾱ<sub>s</sub> (newest history entry) to ᾱ<sub>t</sub>. */
  private Tensor update(Tensor x, Tensor[] models, double[] lambdas, double alphaBarS, double alphaBarT, int k) {
    if (alphaBarS == alphaBarT) {
      return x;
    }
    int last = models.length - 1;
    double alphaS = Math.sqrt(alphaBarS);
    double sigmaS = Math.sqrt(1 - alphaBarS);
    double alphaT = Math.sqrt(alphaBarT);
    double sigmaT = Math.sqrt(1 - alphaBarT);
    double h = lambda(alphaBarT) - lambdas[last];
    Tensor m0 = models[last];
    // x_t = cx·x + c0·m0 + cD1·D1 + cD2·D2, with the DPM-Solver(++) phi functions.
    double cx;
    double c0;
    double cD1;
    double cD2;
    if (predictX0) {
      double phi1 = Math.expm1(-h);
      cx = sigmaT / sigmaS;
      c0 = -alphaT * phi1;
      cD1 = k == 2 ? -0.5 * alphaT * phi1 : alphaT * (phi1 / h + 1);
      cD2 = -alphaT * ((phi1 + h) / (h * h) - 0.5);
    } else {
      double phi1 = Math.expm1(h);
      cx = alphaT / alphaS;
      c0 = -sigmaT * phi1;
      cD1 = k == 2 ? -0.5 * sigmaT * phi1 : -sigmaT * (phi1 / h - 1);
      cD2 = -sigmaT * ((phi1 - h) / (h * h) - 0.5);
    }
    if (k == 1) {
      return Tensor.lincomb(cx, x, c0, m0);
    }
    Tensor m1 = models[last - 1];
    double r0 = (lambdas[last] - lambdas[last - 1]) / h;
    if (k == 2) {
      // D1_0 = (m0 − m1)/r0
      double w = cD1 / r0;
      return Tensor.lincomb(cx, x, c0 + w, m0, -w, m1);
    }
    Tensor m2 = models[last - 2];
    double r1 = (lambdas[last - 1] - lambdas[last - 2]) / h;
    // D1_0 = (m0 − m1)/r0, D1_1 = (m1 − m2)/r1; D1 = D1_0 + r0/(r0 + r1)·(D1_0 − D1_1);
    // D2 = (D1_0 − D1_1)/(r0 + r1)
    double kk = r0 / (r0 + r1);
    double mm = 1 / (r0 + r1);
    double p = cD1 * (1 + kk) + cD2 * mm; // weight of D1_0
    double q = -cD1 * kk - cD2 * mm; // weight of D1_1
    double w0 = p / r0;
    double w1 = -p / r0 + q / r1;
    double w2 = -q / r1;
    return Tensor.lincomb(cx, x, c0 + w0, m0, w1, m1, w2, m2);
  }

  /** Registers {@value #NAME} (DPM-Solver++). */
  public static final class Provider extends NamedSamplerProvider {
    /** The instance {@link java.util.ServiceLoader} creates. */
    public Provider() {
      super(NAME, DpmSolver::plusPlus);
    }
  }

  /** Registers {@value #NAME_EPS} (noise-prediction DPM-Solver). */
  public static final class EpsProvider extends NamedSamplerProvider {
    /** The instance {@link java.util.ServiceLoader} creates. */
    public EpsProvider() {
      super(NAME_EPS, DpmSolver::noisePrediction);
    }
  }
}
