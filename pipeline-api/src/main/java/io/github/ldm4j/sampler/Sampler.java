package io.github.ldm4j.sampler;

import io.github.ldm4j.tensor.Tensor;

/**
 * A reverse-process algorithm (k-diffusion style): stateless, it runs a {@link SamplingRun} — a
 * model function, a schedule, a step plan and starting noise — and returns the final latent x<sub>0</sub>.
 * Guidance is never computed here; it is already inside the run's {@link ModelFunction}.
 *
 * <p>Contract: the listener is called once per step in order; the cancellation token is checked
 * before every model evaluation; the same run (same seed) gives the same result; a plan of the
 * other {@linkplain #planKind() kind} is converted when that is exact and rejected with {@link
 * IllegalArgumentException} otherwise. Implementations are thread-safe.
 */
public interface Sampler {

  /** The registered name (ComfyUI's: {@code euler}, {@code ddim}, {@code dpmpp_2m}, …). */
  String name();

  /** Runs the reverse process and returns the final (scaled) latent. */
  Tensor sample(SamplingRun run);

  /**
   * The kind of {@link StepPlan} this sampler runs on natively; build plans of this kind (a σ
   * schedule for a timestep sampler, say, is then rounded the way its reference rounds it).
   * k-diffusion samplers: {@link StepPlan.Kind#SIGMAS}; CompVis samplers: {@link
   * StepPlan.Kind#TIMESTEPS}.
   */
  default StepPlan.Kind planKind() {
    return StepPlan.Kind.SIGMAS;
  }
}
