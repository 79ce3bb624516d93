package io.github.ldm4j.samplers;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.ldm4j.model.Parameterization;
import io.github.ldm4j.sampler.SamplerOptions;
import io.github.ldm4j.sampler.Samplers;
import io.github.ldm4j.sampler.StepPlan;
import io.github.ldm4j.samplers.testing.AnalyticModel;
import io.github.ldm4j.samplers.testing.Runs;
import io.github.ldm4j.schedule.DiffusionSchedule;
import io.github.ldm4j.tensor.Shape;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Bad input fails with a message that names the argument and what was expected. */
class BadInputTest {

  static final DiffusionSchedule SD = DiffusionSchedule.stableDiffusionV1();

  @ParameterizedTest
  @ValueSource(ints = {0, -1})
  void stepsBelowOne(int steps) {
    for (String name : StepSchedulers.names()) {
      for (StepPlan.Kind kind : StepPlan.Kind.values()) {
        assertThatThrownBy(() -> StepSchedulers.create(name).plan(SD, steps, kind))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("steps must be >= 1, got " + steps);
      }
    }
  }

  @Test
  void tooManyStepsForATimestepSchedule() {
    assertThatThrownBy(() -> StepSchedulers.create("leading").plan(SD, 1001))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("1001 steps exceed the 1000 training timesteps");
    assertThatThrownBy(() -> StepSchedulers.create("lcm").plan(SD, 51))
        .hasMessageContaining("exceed original_inference_steps = 50");
    assertThatThrownBy(() -> StepSchedulers.create("leading", ScheduleOptions.DEFAULTS.withStepsOffset(30)).plan(SD, 50))
        .hasMessageContaining("reaches timestep 1010, outside [0, 1000)");
  }

  @ParameterizedTest
  @ValueSource(doubles = {0, -0.1, 1.0000001, 2, Double.NaN})
  void strengthOutsideZeroOne(double strength) {
    for (StepPlan.Kind kind : StepPlan.Kind.values()) {
      assertThatThrownBy(() -> PartialDenoising.plan(StepSchedulers.create("karras"), SD, 20, strength, kind))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("strength must be in (0, 1], got " + strength);
    }
  }

  @Test
  void strengthThatLeavesNoStep() {
    assertThatThrownBy(() -> PartialDenoising.plan(StepSchedulers.create("ddim_uniform"), SD, 10, 0.05,
        StepPlan.Kind.TIMESTEPS))
        .hasMessageContaining("leaves no step to run");
  }

  @Test
  void unknownSamplerListsTheValidNames() {
    assertThatThrownBy(() -> Samplers.create("euler_b"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("unknown sampler 'euler_b'")
        .hasMessageContaining("ddim, ddpm, dpm_2")
        .hasMessageContaining("uni_pc");
  }

  @Test
  void unknownScheduleListsTheValidNames() {
    assertThatThrownBy(() -> StepSchedulers.create("karas"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("unknown schedule 'karas'; did you mean 'karras'?; available: align_your_steps, ddim_quad, ddim_uniform, exponential, karras");
  }

  @Test
  void unsupportedOrders() {
    assertThatThrownBy(() -> Samplers.create("dpm_solver", SamplerOptions.DEFAULTS.withOrder(4)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("sampler 'dpm_solver' supports order 1..3, got 4");
    assertThatThrownBy(() -> Samplers.create("uni_pc", SamplerOptions.DEFAULTS.withOrder(5)))
        .hasMessage("sampler 'uni_pc' supports order 1..3, got 5");
    assertThatThrownBy(() -> Samplers.create("lms", SamplerOptions.DEFAULTS.withOrder(7)))
        .hasMessage("sampler 'lms' supports order 1..6, got 7");
    assertThatThrownBy(() -> Samplers.create("heun", SamplerOptions.DEFAULTS.withOrder(2)))
        .hasMessage("sampler 'heun' has no order option; it takes: s_churn/s_tmin/s_tmax, s_noise");
  }

  @Test
  void optionsASamplerDoesNotHave() {
    assertThatThrownBy(() -> Samplers.create("euler", SamplerOptions.DEFAULTS.withEta(0.5)))
        .hasMessage("sampler 'euler' has no eta option; it takes: s_churn/s_tmin/s_tmax, s_noise");
    assertThatThrownBy(() -> Samplers.create("dpmpp_2m", SamplerOptions.DEFAULTS.withEta(1)))
        .hasMessage("sampler 'dpmpp_2m' has no eta option; it takes no options");
    assertThatThrownBy(() -> Samplers.create("plms", SamplerOptions.DEFAULTS.withEta(0.5)))
        .hasMessageContaining("sampler 'plms' needs eta = 0");
  }

  @Test
  void nonDecreasingSigmas() {
    assertThatThrownBy(() -> new StepPlan.Sigmas(new double[] {1, 2, 0}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("sigmas must be strictly decreasing");
    assertThatThrownBy(() -> new StepPlan.Sigmas(new double[] {1, 1, 0}))
        .hasMessageContaining("sigmas must be strictly decreasing");
    assertThatThrownBy(() -> new StepPlan.Timesteps(new int[] {10, 20}))
        .hasMessageContaining("timesteps must be strictly decreasing");
  }

  @Test
  void aTimestepSamplerRejectsInexactSigmas() {
    StepPlan karras = StepSchedulers.create("karras").plan(SD, 10, StepPlan.Kind.SIGMAS);
    AnalyticModel model = new AnalyticModel(SD, Parameterization.EPS, 0, 1);
    assertThatThrownBy(() -> Samplers.create("ddim").sample(
        Runs.run(model, Parameterization.EPS, SD, karras, Runs.noise(Shape.of(1, 1, 2, 2), 1), 1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("sampler 'ddim' runs on discrete timesteps; sigma 9.10292813")
        .hasMessageContaining("is not the sigma of a training timestep")
        .hasMessageContaining("StepPlan.Kind.TIMESTEPS");
    StepPlan endsHigh = new StepPlan.Sigmas(new double[] {SD.sigma(500), SD.sigma(100)});
    assertThatThrownBy(() -> Samplers.create("plms").sample(
        Runs.run(model, Parameterization.EPS, SD, endsHigh, Runs.noise(Shape.of(1, 1, 2, 2), 1), 1)))
        .hasMessageContaining("always ends at alpha_bar[0]");
  }

  @Test
  void ddimEtaTooLarge() {
    AnalyticModel model = new AnalyticModel(SD, Parameterization.EPS, 0, 1);
    StepPlan plan = StepSchedulers.create("ddim_uniform").plan(SD, 10, StepPlan.Kind.TIMESTEPS);
    assertThatThrownBy(() -> Samplers.create("ddim", SamplerOptions.DEFAULTS.withEta(5)).sample(
        Runs.run(model, Parameterization.EPS, SD, plan, Runs.noise(Shape.of(1, 1, 2, 2), 1), 1)))
        .hasMessageContaining("ddim eta 5.0 is too large at timestep 901");
  }
}
