package io.github.ldm4j.samplers.internal;

import io.github.ldm4j.sampler.Sampler;
import io.github.ldm4j.sampler.SamplingRun;
import io.github.ldm4j.sampler.StepPlan;
import io.github.ldm4j.tensor.Tensor;
import java.util.Objects;

/** Base of the timestep (CompVis family) samplers: sets up a {@link TimestepRun} and hands it over. */
public abstract class TimestepSampler implements Sampler {

  private final String name;

  protected TimestepSampler(String name) {
    this.name = name;
  }

  @Override
  public final String name() {
    return name;
  }

  @Override
  public final StepPlan.Kind planKind() {
    return StepPlan.Kind.TIMESTEPS;
  }

  @Override
  public final Tensor sample(SamplingRun run) {
    Objects.requireNonNull(run, "run");
    TimestepRun r = TimestepRun.start(run, name);
    return run(r, initialLatent(r));
  }

  /** The latent the algorithm starts from: {@link TimestepRun#initialLatent()} unless overridden. */
  protected Tensor initialLatent(TimestepRun r) {
    return r.initialLatent();
  }

  /** Runs the algorithm from latent {@code x} at the first timestep and returns the final latent. */
  protected abstract Tensor run(TimestepRun r, Tensor x);

  @Override
  public String toString() {
    return name;
  }
}
