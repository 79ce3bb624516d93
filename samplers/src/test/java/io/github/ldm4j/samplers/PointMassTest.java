package io.github.ldm4j.samplers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Offset.offset;

import io.github.ldm4j.model.Parameterization;
import io.github.ldm4j.sampler.Sampler;
import io.github.ldm4j.sampler.SamplerOptions;
import io.github.ldm4j.sampler.Samplers;
import io.github.ldm4j.sampler.StepPlan;
import io.github.ldm4j.samplers.testing.AnalyticModel;
import io.github.ldm4j.samplers.testing.Runs;
import io.github.ldm4j.schedule.DiffusionSchedule;
import io.github.ldm4j.tensor.Shape;
import io.github.ldm4j.tensor.Tensor;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Data concentrated at one point x*: the ideal denoiser returns x* exactly at every level.
 *
 * <ul>
 *   <li>σ samplers end with x = D(x, σ<sub>last</sub>) (or an update that reduces to it), so they
 *       land on x* to float rounding — stochastic ones too, since their last step adds no noise.
 *   <li>Deterministic timestep samplers track the exact trajectory √ᾱ·x* + √(1−ᾱ)·e with e =
 *       (x<sub>T</sub> − √ᾱ<sub>T</sub>·x*)/√(1−ᾱ<sub>T</sub>) constant, and stop at ᾱ[0]: the
 *       expected result is √ᾱ[0]·x* + √(1−ᾱ[0])·e, a residual of about 0.029·e.
 *   <li>{@code ddpm}'s respaced chain ends at ᾱ = 1 with x̂<sub>0</sub> = x*.
 * </ul>
 *
 * Each in the eps, x0 and v parameterizations.
 */
class PointMassTest {

  static final DiffusionSchedule SD = DiffusionSchedule.stableDiffusionV1();
  static final double X_STAR = 0.7;
  static final Shape SHAPE = Shape.of(2, 4, 8, 8);

  static Stream<Arguments> cases() {
    Stream.Builder<Arguments> b = Stream.builder();
    for (String name : Samplers.names()) {
      for (Parameterization p : Parameterization.values()) {
        b.add(Arguments.of(name, p));
      }
    }
    return b.build();
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("cases")
  void landsOnThePoint(String name, Parameterization p) {
    Sampler sampler = Samplers.create(name, SamplerOptions.DEFAULTS);
    AnalyticModel model = AnalyticModel.pointMass(SD, p, X_STAR);
    Tensor noise = Runs.noise(SHAPE, 3);
    if (sampler.planKind() == StepPlan.Kind.SIGMAS) {
      // lcm evaluates its boundary condition; on the lcm schedule (last t = 259) c_skip ≈ 4e-8.
      String schedule = name.equals("lcm") ? "lcm" : "karras";
      StepPlan plan = StepSchedulers.create(schedule).plan(SD, name.equals("lcm") ? 4 : 20, StepPlan.Kind.SIGMAS);
      Tensor x = sampler.sample(Runs.run(model, p, SD, plan, noise, 11));
      for (int i = 0; i < x.size(); i++) {
        assertThat((double) x.get(i)).as("%s element %d", name, i).isCloseTo(X_STAR, offset(2e-5));
      }
      return;
    }
    StepPlan.Timesteps plan = (StepPlan.Timesteps) StepSchedulers.create("ddim_uniform").plan(SD, 50, StepPlan.Kind.TIMESTEPS);
    Tensor x = sampler.sample(Runs.run(model, p, SD, plan, noise, 11));
    if (name.equals("ddpm")) {
      for (int i = 0; i < x.size(); i++) {
        assertThat((double) x.get(i)).isCloseTo(X_STAR, offset(2e-5));
      }
      return;
    }
    double aT = SD.alphaBar(plan.at(0));
    double a0 = SD.alphaBar(0);
    for (int i = 0; i < x.size(); i++) {
      double e = (noise.get(i) - Math.sqrt(aT) * X_STAR) / Math.sqrt(1 - aT);
      double expected = Math.sqrt(a0) * X_STAR + Math.sqrt(1 - a0) * e;
      assertThat((double) x.get(i)).as("%s element %d", name, i).isCloseTo(expected, offset(2e-5));
    }
  }
}
