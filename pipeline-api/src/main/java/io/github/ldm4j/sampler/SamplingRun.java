package io.github.ldm4j.sampler;

import io.github.ldm4j.model.Parameterization;
import io.github.ldm4j.random.RandomSource;
import io.github.ldm4j.schedule.DiffusionSchedule;
import io.github.ldm4j.tensor.Tensor;
import java.util.Objects;
import java.util.Optional;

/**
 * Everything one reverse process needs.
 *
 * <p>The starting point: with no {@code init}, a sampler starts from pure noise at the plan's
 * first level ({@code noise} itself for timestep plans, as CompVis starts from x<sub>T</sub> =
 * randn; σ<sub>0</sub>·{@code noise} for σ plans, as k-diffusion). With {@code init} (partial
 * denoising for img2img / inpainting), the plan already starts at the strength's level and the
 * sampler first noises {@code init} to it with {@code noise} (CompVis {@code stochastic_encode} for
 * timestep plans; {@code init + σ0·noise} for σ plans).
 *
 * @param model the (guided, conditioned) model
 * @param parameterization what the model's output predicts
 * @param schedule the training noise schedule
 * @param plan the levels to visit
 * @param noise unit Gaussian noise of the latent's shape
 * @param init the clean (scaled) latent to start from, for partial denoising
 * @param rng noise for stochastic samplers
 * @param listener called after each step
 * @param cancellation checked before each model evaluation
 */
public record SamplingRun(
    ModelFunction model,
    Parameterization parameterization,
    DiffusionSchedule schedule,
    StepPlan plan,
    Tensor noise,
    Optional<Tensor> init,
    RandomSource rng,
    StepListener listener,
    CancellationToken cancellation) {

  /** Validates. */
  public SamplingRun {
    Objects.requireNonNull(model, "model");
    Objects.requireNonNull(parameterization, "parameterization");
    Objects.requireNonNull(schedule, "schedule");
    Objects.requireNonNull(plan, "plan");
    Objects.requireNonNull(noise, "noise");
    Objects.requireNonNull(init, "init");
    Objects.requireNonNull(rng, "rng");
    Objects.requireNonNull(listener, "listener");
    Objects.requireNonNull(cancellation, "cancellation");
    if (noise.rank() != 4) {
      throw new IllegalArgumentException("noise must be a latent [B, C, h, w], got shape " + noise.shape());
    }
    noise.requireFinite("initial noise");
    init.ifPresent(i -> {
      noise.requireSameShape("init latent", i);
      i.requireFinite("init latent");
    });
    if (plan instanceof StepPlan.Timesteps ts && ts.at(0) >= schedule.timesteps()) {
      throw new IllegalArgumentException(
          "plan starts at timestep " + ts.at(0) + ", outside the schedule's [0, " + schedule.timesteps() + ")");
    }
  }
}
