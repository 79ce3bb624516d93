package io.github.ldm4j.samplers.internal;

import io.github.ldm4j.sampler.Sampler;
import io.github.ldm4j.sampler.SamplingRun;
import io.github.ldm4j.sampler.StepPlan;
import io.github.ldm4j.tensor.Tensor;
import java.util.Objects;

/** Base of the σ (k-diffusion family) samplers: sets up a {@link SigmaRun} and hands it over. */
public abstract class SigmaSampler implements Sampler {

  private final String name;

  protected SigmaSampler(String name) {
    this.name = name;
  }

  @Override
  public final String name() {
    return name;
  }

  @Override
  public final StepPlan.Kind planKind() {
    return StepPlan.Kind.SIGMAS;
  }

  @Override
  public final Tensor sample(SamplingRun run) {
    Objects.requireNonNull(run, "run");
    SigmaRun r = SigmaRun.start(run);
    return run(r, r.initialLatent());
  }

  /** Runs the algorithm from latent {@code x} at σ<sub>0</sub> and returns the final latent. */
  protected abstract Tensor run(SigmaRun r, Tensor x);

  @Override
  public String toString() {
    return name;
  }
}
