package io.github.ldm4j.samplers;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.ldm4j.model.Parameterization;
import io.github.ldm4j.sampler.Sampler;
import io.github.ldm4j.sampler.SamplerOptions;
import io.github.ldm4j.sampler.Samplers;
import io.github.ldm4j.sampler.StepEvent;
import io.github.ldm4j.sampler.StepPlan;
import io.github.ldm4j.samplers.schedules.Karras;
import io.github.ldm4j.samplers.testing.AnalyticModel;
import io.github.ldm4j.samplers.testing.GaussianRandom;
import io.github.ldm4j.samplers.testing.Runs;
import io.github.ldm4j.schedule.DiffusionSchedule;
import io.github.ldm4j.tensor.Shape;
import io.github.ldm4j.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.DoubleUnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Convergence order on Gaussian data N(μ, s²), whose probability-flow ODE has the closed form
 * x(σ₁) = μ + (x(σ₀) − μ)·√(s² + σ₁²)/√(s² + σ₀²) (variance-exploding variable). Every
 * deterministic sampler (stochastic ones at η = 0) runs 10, 20, 40 and 80 steps and the slope of
 * log error against log steps is fitted by least squares.
 *
 * <p>Measuring the error: σ samplers on Karras plans are compared at σ<sub>min</sub>, after the
 * second-to-last step — the last step to σ = 0 returns D(x, σ<sub>min</sub>), whose O(σ<sub>min</sub>²)
 * gap to the ODE solution does not shrink with the step count. Timestep samplers run t = 999,
 * 999 − h, …, 279 (h = 720/n, equal steps) and are compared after the step that lands on t = 279
 * (towards t = 0, σ ∝ √t makes uniform timesteps ever larger steps in λ). Each sampler is
 * affine in the starting noise for this linear denoiser, so the error over 4096 elements is
 * regressed on the noise and only the fitted (systematic) part is kept: float32 rounding, which
 * is uncorrelated with the noise, averages out (to ~1e-9) instead of flooring the error at ~1e-7.
 */
class GaussianOrderTest {

  static final DiffusionSchedule SD = DiffusionSchedule.stableDiffusionV1();
  static final double MU = 0.5;
  static final double S = 0.5;
  static final int[] STEPS = {10, 20, 40, 80};
  static final Shape SHAPE = Shape.of(1, 1, 64, 64);

  /**
   * (sampler, options, lowest and highest accepted slope). Measured slopes (SD v1 schedule, μ = s =
   * 0.5) are noted after each line. Nominal orders: Euler/DDIM 1; Heun, DPM-2, DPM++(2S/2M/SDE),
   * UniPC-1 (predictor 1 + corrector) 2; DPM++(3M), UniPC-2 3; UniPC-3 4; LMS 4. Multistep methods
   * warm up with a first-order step whose local error is O(h²), so their asymptotic global order is
   * capped at 2 (3 with a UniC corrector): the fitted slope over 10..80 steps lies between that cap
   * and the nominal order because the warm-up error is small at σ<sub>max</sub>. PLMS weights ε by
   * Adams–Bashforth in the timestep index rather than in σ, which makes it globally second order.
   */
  static Stream<Arguments> samplers() {
    SamplerOptions d = SamplerOptions.DEFAULTS;
    return Stream.of(
        Arguments.of("euler", d, 0.9, 1.1), // 1.006
        Arguments.of("euler_ancestral", d.withEta(0), 0.9, 1.1), // 1.006
        Arguments.of("heun", d, 1.85, 2.3), // 2.147
        Arguments.of("dpm_2", d, 1.85, 2.3), // 2.138
        Arguments.of("dpm_2_ancestral", d.withEta(0), 1.85, 2.3), // 2.138
        Arguments.of("lms", d, 3.0, 4.2), // 3.450 (nominal 4, Euler warm-up)
        Arguments.of("dpmpp_2s_ancestral", d.withEta(0), 1.85, 2.3), // 2.023
        Arguments.of("dpmpp_sde", d.withEta(0), 1.85, 2.3), // 2.023
        Arguments.of("dpmpp_2m", d, 1.85, 2.3), // 2.037
        Arguments.of("dpmpp_2m_sde", d.withEta(0), 1.85, 2.3), // 2.037
        Arguments.of("dpmpp_3m_sde", d.withEta(0), 2.3, 3.2), // 2.627 (nominal 3, first-order warm-up)
        Arguments.of("uni_pc", d.withOrder(1), 1.85, 2.3), // 2.005
        Arguments.of("uni_pc", d.withOrder(2), 2.8, 3.4), // 3.114
        Arguments.of("uni_pc", d.withOrder(3), 3.7, 5.6), // 5.112 (nominal 4, pre-asymptotic)
        Arguments.of("ddim", d, 0.9, 1.1), // 0.995
        Arguments.of("plms", d, 1.4, 2.3), // 1.541 (1.93 over 40..80)
        Arguments.of("dpm_solver", d.withOrder(1), 0.9, 1.1), // 0.995
        Arguments.of("dpm_solver", d.withOrder(2), 1.85, 2.2), // 2.008
        Arguments.of("dpm_solver", d.withOrder(3), 2.0, 3.2), // 2.147 (nominal 3, first-order warm-up)
        Arguments.of("dpm_solver_eps", d.withOrder(1), 0.9, 1.1), // 0.995
        Arguments.of("dpm_solver_eps", d.withOrder(2), 1.8, 2.2), // 1.917
        Arguments.of("dpm_solver_eps", d.withOrder(3), 2.0, 3.2)); // 2.198
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("samplers")
  void errorShrinksAtTheSamplersOrder(String name, SamplerOptions options, double lowest, double highest) {
    Sampler sampler = Samplers.create(name, options);
    double[] errors = new double[STEPS.length];
    for (int k = 0; k < STEPS.length; k++) {
      errors[k] = error(sampler, STEPS[k]);
    }
    double slope = -slope(STEPS, errors);
    assertThat(slope)
        .as("%s %s: error %s over %s steps", name, options.order(), Arrays.toString(errors), Arrays.toString(STEPS))
        .isBetween(lowest, highest);
    assertThat(errors[STEPS.length - 1]).as("error at 80 steps").isLessThan(errors[0]);
  }

  static double error(Sampler sampler, int n) {
    AnalyticModel model = new AnalyticModel(SD, Parameterization.EPS, MU, S);
    Tensor noise = Runs.noise(SHAPE, 7);
    List<StepEvent> events = new ArrayList<>();
    if (sampler.planKind() == StepPlan.Kind.SIGMAS) {
      double[] sig = Arrays.copyOf(Karras.sigmas(n, SD.sigmaMin(), SD.sigmaMax(), 7), n + 1);
      sampler.sample(Runs.run(model, Parameterization.EPS, SD, new StepPlan.Sigmas(sig), noise,
          new GaussianRandom(1), events::add));
      Tensor x = events.get(n - 2).x();
      double s0 = sig[0];
      double s1 = sig[n - 1];
      return systematicError(noise, x, z -> model.flowVe(s0 * z, s0, s1));
    }
    int h = 720 / n;
    int[] ts = new int[n + 1];
    for (int i = 0; i <= n; i++) {
      ts[i] = 999 - i * h;
    }
    sampler.sample(Runs.run(model, Parameterization.EPS, SD, new StepPlan.Timesteps(ts), noise,
        new GaussianRandom(1), events::add));
    Tensor x = events.get(n - 1).x();
    double a0 = SD.alphaBar(999);
    double aEnd = SD.alphaBar(279);
    double s0 = SD.sigma(999);
    double s1 = SD.sigma(279);
    return systematicError(noise, x, z -> Math.sqrt(aEnd) * model.flowVe(z / Math.sqrt(a0), s0, s1));
  }

  /** RMS of the part of (x − exact(z)) that is affine in the noise z (least-squares fit). */
  static double systematicError(Tensor noise, Tensor x, DoubleUnaryOperator exact) {
    int n = noise.size();
    double mz = 0;
    double me = 0;
    double[] e = new double[n];
    for (int i = 0; i < n; i++) {
      double z = noise.get(i);
      e[i] = x.get(i) - exact.applyAsDouble(z);
      mz += z;
      me += e[i];
    }
    mz /= n;
    me /= n;
    double szz = 0;
    double sze = 0;
    for (int i = 0; i < n; i++) {
      double dz = noise.get(i) - mz;
      szz += dz * dz;
      sze += dz * (e[i] - me);
    }
    double a = sze / szz;
    double b = me - a * mz;
    double sum = 0;
    for (int i = 0; i < n; i++) {
      double f = a * noise.get(i) + b;
      sum += f * f;
    }
    return Math.sqrt(sum / n);
  }

  /** Least-squares slope of log(error) against log(steps). */
  static double slope(int[] steps, double[] errors) {
    int n = steps.length;
    double mx = 0;
    double my = 0;
    for (int i = 0; i < n; i++) {
      mx += Math.log(steps[i]);
      my += Math.log(errors[i]);
    }
    mx /= n;
    my /= n;
    double sxx = 0;
    double sxy = 0;
    for (int i = 0; i < n; i++) {
      double dx = Math.log(steps[i]) - mx;
      sxx += dx * dx;
      sxy += dx * (Math.log(errors[i]) - my);
    }
    return sxy / sxx;
  }
}
