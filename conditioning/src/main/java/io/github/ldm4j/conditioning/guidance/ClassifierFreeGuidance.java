package io.github.ldm4j.conditioning.guidance;

import io.github.ldm4j.conditioning.guidance.internal.ConditioningBatch;
import io.github.ldm4j.conditioning.guidance.internal.GuidanceRescale;
import io.github.ldm4j.model.Conditioning;
import io.github.ldm4j.model.Denoiser;
import io.github.ldm4j.model.GuidancePair;
import io.github.ldm4j.sampler.ModelFunction;
import io.github.ldm4j.schedule.DiffusionSchedule;
import io.github.ldm4j.tensor.Shape;
import io.github.ldm4j.tensor.Tensor;
import java.util.Objects;

/**
 * Classifier-free guidance around a {@link Denoiser}: the {@link ModelFunction} ε(x, t) = ε<sub>u</sub>
 * + s·(ε<sub>c</sub> − ε<sub>u</sub>), with ε<sub>c</sub> the prediction under the conditional and
 * ε<sub>u</sub> under the unconditional {@link Conditioning} (CompVis samplers, diffusers). Works on
 * the raw model output, whatever its {@link io.github.ldm4j.model.Parameterization}.
 *
 * <p>The scalar t becomes a timestep tensor of one value per row ([B], or [2B] for the batched
 * call, whose rows are the unconditional batch then the conditional one). At s ≤ 1 only the
 * conditional call is made. Combination in double per element, rounded once; then, with φ > 0,
 * {@linkplain GuidanceOptions#rescale() guidance rescale}.
 *
 * <p><b>CFG cut-off.</b> With {@link GuidanceOptions#cutoffSigma()} σ<sub>min</sub> &gt; 0, a call
 * whose σ(t) (the model's {@link DiffusionSchedule#tToSigma}) is below σ<sub>min</sub> skips the
 * unconditional pass and returns the conditional prediction: one UNet call of B rows instead of 2B,
 * about half the cost of the step. This is AUTOMATIC1111's {@code s_min_uncond} ("Negative Guidance
 * minimum sigma": skip when {@code s_min_uncond > 0 and sigma < s_min_uncond}, the result then being
 * the cond prediction) with its option {@code s_min_uncond_all} on; by default A1111 skips only on
 * every other call of its CFG denoiser (odd call numbers), which a stateless model function cannot
 * count — ldm4j skips on every call below σ<sub>min</sub>. σ<sub>min</sub> = 0 is plain CFG, bit
 * for bit.
 *
 * <p>Does not own the denoiser. Safe for concurrent use when the denoiser is.
 */
public final class ClassifierFreeGuidance implements ModelFunction {

  private final Denoiser denoiser;
  private final Conditioning cond;
  private final Conditioning uncond;
  private final Conditioning batched;
  private final GuidanceOptions options;
  private final int batch;
  private final DiffusionSchedule schedule;

  private ClassifierFreeGuidance(
      Denoiser denoiser, Conditioning cond, Conditioning uncond, GuidanceOptions options, DiffusionSchedule schedule) {
    this.denoiser = denoiser;
    this.schedule = schedule;
    this.cond = cond;
    this.uncond = uncond;
    this.options = options;
    this.batch = ConditioningBatch.batchSize(cond);
    this.batched = uncond != null && options.guided() && options.batching() == GuidanceBatching.BATCHED
        ? ConditioningBatch.concat(uncond, cond) : null;
  }

  /**
   * The guided model.
   *
   * @param denoiser the model (not owned)
   * @param cond conditioning of the prompts, batch B
   * @param uncond conditioning of the negative prompts, same variant and shapes
   * @throws IllegalArgumentException when a conditioning does not match the denoiser's key, the two
   *     differ in variant or shape, they are {@link Conditioning#none()} (nothing to guide), or the
   *     options ask for a CFG cut-off (which needs the schedule: use {@link #wrap(Denoiser,
   *     GuidancePair, GuidanceOptions, DiffusionSchedule)})
   */
  public static ClassifierFreeGuidance wrap(
      Denoiser denoiser, Conditioning cond, Conditioning uncond, GuidanceOptions options) {
    return wrap(denoiser, cond, uncond, options, null);
  }

  /**
   * The guided model, with the CFG cut-off of {@code options} measured in the σ of {@code schedule}.
   *
   * @param schedule the model's training schedule (t → σ); may be null only when the options have no
   *     cut-off
   * @throws IllegalArgumentException as {@link #wrap(Denoiser, Conditioning, Conditioning, GuidanceOptions)}
   */
  public static ClassifierFreeGuidance wrap(
      Denoiser denoiser, GuidancePair pair, GuidanceOptions options, DiffusionSchedule schedule) {
    Objects.requireNonNull(pair, "pair");
    Objects.requireNonNull(schedule, "schedule");
    return wrap(denoiser, pair.cond(), pair.uncond(), options, schedule);
  }

  private static ClassifierFreeGuidance wrap(
      Denoiser denoiser, Conditioning cond, Conditioning uncond, GuidanceOptions options, DiffusionSchedule schedule) {
    Objects.requireNonNull(denoiser, "denoiser");
    Objects.requireNonNull(cond, "cond");
    Objects.requireNonNull(uncond, "uncond");
    Objects.requireNonNull(options, "options");
    requireKey(denoiser, cond, "conditional");
    requireKey(denoiser, uncond, "unconditional");
    if (cond instanceof Conditioning.None) {
      throw new IllegalArgumentException(
          "classifier-free guidance needs conditioning; an unconditional model (key none) has nothing to guide");
    }
    ConditioningBatch.requireSameShape(cond, uncond,
        " (pad the negative prompt to the prompt's chunk count, as ClipCondStage.encodePairs does)");
    if (options.cutoffSigma() > 0 && schedule == null) {
      throw new IllegalArgumentException(
          "a CFG cut-off sigma (" + options.cutoffSigma() + ") needs the model's diffusion schedule to know σ at each timestep");
    }
    return new ClassifierFreeGuidance(denoiser, cond, uncond, options, schedule);
  }

  /** {@link #wrap(Denoiser, Conditioning, Conditioning, GuidanceOptions)} for a pair. */
  public static ClassifierFreeGuidance wrap(Denoiser denoiser, GuidancePair pair, GuidanceOptions options) {
    Objects.requireNonNull(pair, "pair");
    return wrap(denoiser, pair.cond(), pair.uncond(), options);
  }

  /** The model under {@code cond} alone, no guidance (also for {@link Conditioning#none()}). */
  public static ClassifierFreeGuidance conditional(Denoiser denoiser, Conditioning cond) {
    Objects.requireNonNull(denoiser, "denoiser");
    Objects.requireNonNull(cond, "cond");
    requireKey(denoiser, cond, "conditional");
    return new ClassifierFreeGuidance(denoiser, cond, null, GuidanceOptions.of(1), null);
  }

  private static void requireKey(Denoiser d, Conditioning c, String what) {
    if (c.key() != d.conditioningKey()) {
      throw new IllegalArgumentException(
          what + " conditioning is for key '" + c.key().compvisName() + "' but the denoiser takes '"
              + d.conditioningKey().compvisName() + "'");
    }
  }

  /** The options. */
  public GuidanceOptions options() {
    return options;
  }

  /**
   * The guided prediction for {@code x} ({@code [B, C, h, w]}) at timestep {@code t}.
   *
   * @throws IllegalArgumentException when t is not finite or B differs from the conditioning's batch
   */
  @Override
  public Tensor apply(Tensor x, double t) {
    Objects.requireNonNull(x, "x");
    if (!Double.isFinite(t)) {
      throw new IllegalArgumentException("timestep must be finite, got " + t);
    }
    if (x.rank() != 4) {
      throw new IllegalArgumentException("x must be [B, C, h, w], got shape " + x.shape());
    }
    int b = x.dim(0);
    if (batch >= 0 && batch != b) {
      throw new IllegalArgumentException(
          "conditioning batch " + batch + " does not match latent batch " + b + " (x " + x.shape() + ")");
    }
    if (uncond == null || !options.guided() || belowCutoff(t)) {
      return denoiser.applyModel(x, timesteps(b, t), cond);
    }
    Tensor eu;
    Tensor ec;
    if (options.batching() == GuidanceBatching.BATCHED) {
      Tensor out = denoiser.applyModel(Tensor.concat(0, x, x), timesteps(2 * b, t), batched);
      eu = out.batches(0, b);
      ec = out.batches(b, 2 * b);
    } else {
      eu = denoiser.applyModel(x, timesteps(b, t), uncond);
      ec = denoiser.applyModel(x, timesteps(b, t), cond);
    }
    double s = options.scale();
    Tensor guided = Tensor.zeros(ec.shape());
    for (int i = 0; i < guided.size(); i++) {
      double u = eu.get(i);
      guided.set(i, (float) (u + s * (ec.get(i) - u)));
    }
    if (options.rescale() > 0) {
      GuidanceRescale.apply(guided, ec, options.rescale());
    }
    return guided;
  }

  /** True when the CFG cut-off is on and σ(t) is below it (A1111: {@code sigma < s_min_uncond}). */
  private boolean belowCutoff(double t) {
    return options.cutoffSigma() > 0 && schedule.tToSigma(t) < options.cutoffSigma();
  }

  private static Tensor timesteps(int n, double t) {
    return Tensor.full(Shape.of(n), (float) t);
  }
}
