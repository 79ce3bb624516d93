package io.github.ldm4j.samplers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.ldm4j.model.Parameterization;
import io.github.ldm4j.sampler.CancellationToken;
import io.github.ldm4j.sampler.ModelFunction;
import io.github.ldm4j.sampler.Sampler;
import io.github.ldm4j.sampler.SamplerProvider;
import io.github.ldm4j.sampler.Samplers;
import io.github.ldm4j.sampler.SamplingRun;
import io.github.ldm4j.sampler.StepEvent;
import io.github.ldm4j.sampler.StepListener;
import io.github.ldm4j.sampler.StepPlan;
import io.github.ldm4j.samplers.testing.AnalyticModel;
import io.github.ldm4j.samplers.testing.GaussianRandom;
import io.github.ldm4j.samplers.testing.Runs;
import io.github.ldm4j.schedule.DiffusionSchedule;
import io.github.ldm4j.tensor.Shape;
import io.github.ldm4j.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.concurrent.CancellationException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The {@link Sampler} contract, run against every registered sampler. */
class SamplerContractTest {

  static final DiffusionSchedule SD = DiffusionSchedule.stableDiffusionV1();
  static final Shape SHAPE = Shape.of(2, 4, 8, 8);
  static final int STEPS = 8;

  /** Every name this module registers (ComfyUI names, plus dpm_solver / dpm_solver_eps). */
  static final List<String> EXPECTED = List.of("ddim", "ddpm", "dpm_2", "dpm_2_ancestral", "dpm_solver",
      "dpm_solver_eps", "dpmpp_2m", "dpmpp_2m_sde", "dpmpp_2s_ancestral", "dpmpp_3m_sde", "dpmpp_sde", "euler",
      "euler_ancestral", "heun", "lcm", "lms", "plms", "uni_pc");

  static List<String> names() {
    return Samplers.names();
  }

  @Test
  void everySamplerIsRegisteredOnceUnderItsName() {
    List<String> providers = new ArrayList<>();
    for (SamplerProvider p : ServiceLoader.load(SamplerProvider.class)) {
      providers.add(p.name());
    }
    assertThat(providers).doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(EXPECTED);
    assertThat(Samplers.names()).containsExactlyElementsOf(EXPECTED);
    for (String name : EXPECTED) {
      assertThat(Samplers.create(name).name()).isEqualTo(name);
    }
  }

  static StepPlan plan(Sampler sampler) {
    return StepSchedulers.create("karras").plan(SD, STEPS, sampler.planKind());
  }

  static SamplingRun run(ModelFunction model, Parameterization p, StepPlan plan, long seed, StepListener listener,
      CancellationToken token) {
    return new SamplingRun(model, p, SD, plan, Runs.noise(SHAPE, seed), Optional.empty(), new GaussianRandom(seed),
        listener, token);
  }

  @ParameterizedTest
  @MethodSource("names")
  void callbacksComeOncePerStepInOrder(String name) {
    Sampler sampler = Samplers.create(name);
    StepPlan plan = plan(sampler);
    List<StepEvent> events = new ArrayList<>();
    Tensor out = sampler.sample(run(gaussian(Parameterization.EPS), Parameterization.EPS, plan, 1, events::add,
        CancellationToken.none()));
    assertThat(events).hasSize(plan.steps());
    double lastSigma = Double.POSITIVE_INFINITY;
    for (int i = 0; i < events.size(); i++) {
      StepEvent e = events.get(i);
      assertThat(e.step()).isEqualTo(i);
      assertThat(e.totalSteps()).isEqualTo(plan.steps());
      assertThat(e.sigma()).isPositive().isLessThan(lastSigma);
      assertThat(e.timestep()).isBetween(0.0, SD.timesteps() - 1.0);
      assertThat(e.x().shape()).isEqualTo(SHAPE);
      assertThat(e.denoised().shape()).isEqualTo(SHAPE);
      assertThat(e.x().allFinite() && e.denoised().allFinite()).isTrue();
      lastSigma = e.sigma();
    }
    assertThat(events.getLast().x().maxAbsDiff(out)).isZero();
  }

  @ParameterizedTest
  @MethodSource("names")
  void cancellationStopsBeforeTheNextModelEvaluation(String name) {
    Sampler sampler = Samplers.create(name);
    CancellationToken token = new CancellationToken();
    AtomicInteger calls = new AtomicInteger();
    AtomicInteger callsAtCancel = new AtomicInteger(-1);
    AnalyticModel inner = gaussian(Parameterization.EPS);
    ModelFunction counting = (x, t) -> {
      calls.incrementAndGet();
      return inner.apply(x, t);
    };
    StepListener listener = e -> {
      if (e.step() == 1) {
        token.cancel("user pressed stop");
        callsAtCancel.set(calls.get());
      }
    };
    assertThatThrownBy(() -> sampler.sample(run(counting, Parameterization.EPS, plan(sampler), 1, listener, token)))
        .isInstanceOf(CancellationException.class)
        .hasMessage("user pressed stop");
    assertThat(calls.get()).isEqualTo(callsAtCancel.get());
  }

  @ParameterizedTest
  @MethodSource("names")
  void aCancelledTokenPreventsAnyModelEvaluation(String name) {
    Sampler sampler = Samplers.create(name);
    CancellationToken token = new CancellationToken();
    token.cancel("before start");
    AtomicInteger calls = new AtomicInteger();
    ModelFunction counting = (x, t) -> {
      calls.incrementAndGet();
      return x;
    };
    assertThatThrownBy(() -> sampler.sample(run(counting, Parameterization.EPS, plan(sampler), 1, StepListener.NONE,
        token))).isInstanceOf(CancellationException.class);
    assertThat(calls.get()).isZero();
  }

  @ParameterizedTest
  @MethodSource("names")
  void theSameSeedGivesTheSameResult(String name) {
    Sampler sampler = Samplers.create(name);
    StepPlan plan = plan(sampler);
    Tensor a = sampler.sample(run(gaussian(Parameterization.EPS), Parameterization.EPS, plan, 5, StepListener.NONE,
        CancellationToken.none()));
    Tensor b = sampler.sample(run(gaussian(Parameterization.EPS), Parameterization.EPS, plan, 5, StepListener.NONE,
        CancellationToken.none()));
    assertThat(a.toArray()).containsExactly(b.toArray());
  }

  @ParameterizedTest
  @MethodSource("names")
  void everyParameterizationGivesTheSameFiniteResult(String name) {
    // The three predictions of the same ideal denoiser are one model: results agree to rounding.
    Sampler sampler = Samplers.create(name);
    StepPlan plan = plan(sampler);
    Tensor reference = null;
    for (Parameterization p : Parameterization.values()) {
      Tensor out = sampler.sample(run(gaussian(p), p, plan, 9, StepListener.NONE, CancellationToken.none()));
      assertThat(out.allFinite()).as("%s with %s", name, p).isTrue();
      if (reference == null) {
        reference = out;
      } else {
        assertThat(out.maxAbsDiff(reference)).as("%s: %s vs eps", name, p).isLessThan(2e-4);
      }
    }
  }

  @ParameterizedTest
  @MethodSource("names")
  void aPlanOfTheOtherKindIsConvertedWhenExact(String name) {
    // ddim_uniform is defined on training timesteps: as σ it converts exactly either way.
    Sampler sampler = Samplers.create(name);
    StepScheduler schedule = StepSchedulers.create("ddim_uniform");
    StepPlan.Kind other = sampler.planKind() == StepPlan.Kind.SIGMAS ? StepPlan.Kind.TIMESTEPS : StepPlan.Kind.SIGMAS;
    Tensor viaOther = sampler.sample(run(gaussian(Parameterization.EPS), Parameterization.EPS,
        schedule.plan(SD, 10, other), 3, StepListener.NONE, CancellationToken.none()));
    Tensor viaOwn = sampler.sample(run(gaussian(Parameterization.EPS), Parameterization.EPS,
        schedule.plan(SD, 10, sampler.planKind()), 3, StepListener.NONE, CancellationToken.none()));
    assertThat(viaOther.toArray()).containsExactly(viaOwn.toArray());
  }

  @ParameterizedTest
  @MethodSource("names")
  void aWrongShapedModelOutputIsReported(String name) {
    Sampler sampler = Samplers.create(name);
    ModelFunction broken = (x, t) -> Tensor.zeros(1, 4, 8, 8);
    assertThatThrownBy(() -> sampler.sample(run(broken, Parameterization.EPS, plan(sampler), 1, StepListener.NONE,
        CancellationToken.none())))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("returned shape [1, 4, 8, 8]");
  }

  static AnalyticModel gaussian(Parameterization p) {
    return new AnalyticModel(SD, p, 0.3, 0.8);
  }
}
