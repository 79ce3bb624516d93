package io.github.ldm4j.generate;

import io.github.ldm4j.random.RngKind;
import java.util.Objects;
import java.util.Optional;

/**
 * The knobs of one generation shared by every front end.
 *
 * @param width image width in pixels, a multiple of 8
 * @param height image height in pixels, a multiple of 8
 * @param steps sampler steps, ≥ 1
 * @param sampler sampler name (ComfyUI's: {@code euler}, {@code ddim}, …); empty for the model's default
 * @param scheduler σ/timestep schedule name ({@code normal}, {@code karras}, …); empty for the model's default
 * @param guidanceScale classifier-free guidance scale s (finite, ≥ 0; ≤ 1 skips the unconditional pass)
 * @param guidanceRescale guidance rescale φ in [0, 1] (0 = off)
 * @param seed the seed; image i of a batch uses seed + i, as AUTOMATIC1111
 * @param rng which reference generator interprets the seed
 * @param batchSize images per prompt, ≥ 1
 * @param clipSkip 1 = last CLIP layer (no skip), 2 = penultimate, …
 */
public record GenerationSettings(
    int width,
    int height,
    int steps,
    Optional<String> sampler,
    Optional<String> scheduler,
    double guidanceScale,
    double guidanceRescale,
    long seed,
    RngKind rng,
    int batchSize,
    int clipSkip) {

  /** 512×512, 20 steps, model defaults for sampler and schedule, guidance 7.5, seed 0, torch RNG, one image. */
  public static final GenerationSettings DEFAULTS =
      new GenerationSettings(512, 512, 20, Optional.empty(), Optional.empty(), 7.5, 0, 0, RngKind.TORCH, 1, 1);

  /** Validates. */
  public GenerationSettings {
    if (width < 8 || height < 8 || width % 8 != 0 || height % 8 != 0) {
      throw new IllegalArgumentException(
          "width and height must be positive multiples of 8, got " + width + "x" + height);
    }
    if (steps < 1) {
      throw new IllegalArgumentException("steps must be >= 1, got " + steps);
    }
    Objects.requireNonNull(sampler, "sampler");
    Objects.requireNonNull(scheduler, "scheduler");
    sampler.ifPresent(s -> requireName("sampler", s));
    scheduler.ifPresent(s -> requireName("scheduler", s));
    if (!Double.isFinite(guidanceScale) || guidanceScale < 0) {
      throw new IllegalArgumentException("guidance scale must be finite and >= 0, got " + guidanceScale);
    }
    if (!(guidanceRescale >= 0 && guidanceRescale <= 1)) {
      throw new IllegalArgumentException("guidance rescale must be in [0, 1], got " + guidanceRescale);
    }
    Objects.requireNonNull(rng, "rng");
    if (batchSize < 1) {
      throw new IllegalArgumentException("batch size must be >= 1, got " + batchSize);
    }
    if (clipSkip < 1) {
      throw new IllegalArgumentException("clip skip must be >= 1 (1 = no skip), got " + clipSkip);
    }
  }

  private static void requireName(String what, String s) {
    if (s.isBlank()) {
      throw new IllegalArgumentException(what + " name must not be blank (leave it empty for the model default)");
    }
  }

  /** A copy with the size set. */
  public GenerationSettings withSize(int w, int h) {
    return new GenerationSettings(w, h, steps, sampler, scheduler, guidanceScale, guidanceRescale, seed, rng, batchSize, clipSkip);
  }

  /** A copy with the step count set. */
  public GenerationSettings withSteps(int n) {
    return new GenerationSettings(width, height, n, sampler, scheduler, guidanceScale, guidanceRescale, seed, rng, batchSize, clipSkip);
  }

  /** A copy with sampler and schedule names set. */
  public GenerationSettings withSampler(String samplerName, String schedulerName) {
    return new GenerationSettings(width, height, steps, Optional.ofNullable(samplerName), Optional.ofNullable(schedulerName),
        guidanceScale, guidanceRescale, seed, rng, batchSize, clipSkip);
  }

  /** A copy with guidance scale and rescale set. */
  public GenerationSettings withGuidance(double scale, double rescale) {
    return new GenerationSettings(width, height, steps, sampler, scheduler, scale, rescale, seed, rng, batchSize, clipSkip);
  }

  /** A copy with seed and RNG set. */
  public GenerationSettings withSeed(long s, RngKind kind) {
    return new GenerationSettings(width, height, steps, sampler, scheduler, guidanceScale, guidanceRescale, s, kind, batchSize, clipSkip);
  }

  /** A copy with the batch size set. */
  public GenerationSettings withBatchSize(int n) {
    return new GenerationSettings(width, height, steps, sampler, scheduler, guidanceScale, guidanceRescale, seed, rng, n, clipSkip);
  }

  /** A copy with CLIP skip set. */
  public GenerationSettings withClipSkip(int n) {
    return new GenerationSettings(width, height, steps, sampler, scheduler, guidanceScale, guidanceRescale, seed, rng, batchSize, n);
  }
}
