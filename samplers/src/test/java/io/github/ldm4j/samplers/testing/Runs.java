package io.github.ldm4j.samplers.testing;

import io.github.ldm4j.model.Parameterization;
import io.github.ldm4j.random.RandomSource;
import io.github.ldm4j.sampler.CancellationToken;
import io.github.ldm4j.sampler.ModelFunction;
import io.github.ldm4j.sampler.SamplingRun;
import io.github.ldm4j.sampler.StepListener;
import io.github.ldm4j.sampler.StepPlan;
import io.github.ldm4j.schedule.DiffusionSchedule;
import io.github.ldm4j.tensor.Shape;
import io.github.ldm4j.tensor.Tensor;
import java.util.Optional;

/** Builds {@link SamplingRun}s for tests. */
public final class Runs {

  private Runs() {}

  /** Seeded unit noise of {@code shape} (a separate stream from the sampler's generator). */
  public static Tensor noise(Shape shape, long seed) {
    return new GaussianRandom(seed ^ 0x5DEECE66DL).randn(shape);
  }

  public static SamplingRun run(ModelFunction model, Parameterization p, DiffusionSchedule schedule, StepPlan plan,
      Tensor noise, RandomSource rng, StepListener listener) {
    return new SamplingRun(model, p, schedule, plan, noise, Optional.empty(), rng, listener, CancellationToken.none());
  }

  public static SamplingRun run(ModelFunction model, Parameterization p, DiffusionSchedule schedule, StepPlan plan,
      Tensor noise, long seed) {
    return run(model, p, schedule, plan, noise, new GaussianRandom(seed), StepListener.NONE);
  }
}
