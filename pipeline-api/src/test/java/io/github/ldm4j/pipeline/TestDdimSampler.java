package io.github.ldm4j.pipeline;

import io.github.ldm4j.model.Parameterization;
import io.github.ldm4j.sampler.Sampler;
import io.github.ldm4j.sampler.SamplerOptions;
import io.github.ldm4j.sampler.SamplerProvider;
import io.github.ldm4j.sampler.SamplingRun;
import io.github.ldm4j.sampler.StepEvent;
import io.github.ldm4j.sampler.StepPlan;
import io.github.ldm4j.schedule.DiffusionSchedule;
import io.github.ldm4j.tensor.Tensor;

/**
 * Test-only deterministic DDIM (η = 0) over a timestep plan: x_prev = √ᾱ_prev·x̂0 + √(1 − ᾱ_prev)·ε̂,
 * with ᾱ_prev = 1 after the last step (diffusers' set_alpha_to_one), so the result is the last x̂0.
 * Written here to exercise the Sampler contract; the real samplers live in ldm4j-samplers.
 */
public final class TestDdimSampler implements Sampler {

  @Override
  public String name() {
    return "test-ddim";
  }

  @Override
  public Tensor sample(SamplingRun run) {
    if (!(run.plan() instanceof StepPlan.Timesteps plan)) {
      throw new IllegalArgumentException("test-ddim needs a timestep plan");
    }
    DiffusionSchedule s = run.schedule();
    Parameterization p = run.parameterization();
    double ab0 = s.alphaBar(plan.at(0));
    Tensor x = run.init()
        .map(init -> Tensor.lincomb(Math.sqrt(ab0), init, Math.sqrt(1 - ab0), run.noise()))
        .orElse(run.noise());
    int n = plan.steps();
    for (int i = 0; i < n; i++) {
      run.cancellation().throwIfCancelled();
      int t = plan.at(i);
      double ab = s.alphaBar(t);
      Tensor out = run.model().apply(x, t);
      Tensor x0 = p.toX0(out, x, ab);
      Tensor eps = p.toEps(out, x, ab);
      double abPrev = i + 1 < n ? s.alphaBar(plan.at(i + 1)) : 1.0;
      x = Tensor.lincomb(Math.sqrt(abPrev), x0, Math.sqrt(1 - abPrev), eps);
      run.listener().onStep(new StepEvent(i, n, t, s.sigma(t), x, x0));
    }
    return x;
  }

  /** Registers {@code test-ddim} (src/test/resources/META-INF/services). */
  public static final class Provider implements SamplerProvider {
    @Override
    public String name() {
      return "test-ddim";
    }

    @Override
    public Sampler create(SamplerOptions options) {
      if (options.eta().isPresent() && options.eta().getAsDouble() != 0) {
        throw new IllegalArgumentException("test-ddim is deterministic: eta must be 0");
      }
      return new TestDdimSampler();
    }
  }
}
