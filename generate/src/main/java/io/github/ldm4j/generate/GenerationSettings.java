package io.github.ldm4j.generate;

import io.github.ldm4j.image.Quantization;
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
 * @param guidanceScale classifier-free guidance scale s in [0, {@value #MAX_GUIDANCE_SCALE}] (≤ 1 skips the unconditional pass)
 * @param guidanceRescale guidance rescale φ in [0, 1] (0 = off)
 * @param guidanceCutoffSigma CFG cut-off σ<sub>min</sub>, finite, ≥ 0 (0 = off): steps at σ below it
 *     skip the unconditional pass (half the UNet work of such a step), as AUTOMATIC1111's {@code
 *     s_min_uncond} "Negative Guidance minimum sigma" on every step; see {@code
 *     io.github.ldm4j.conditioning.guidance.ClassifierFreeGuidance}
 * @param seed the seed; image i of a batch uses seed + i, as AUTOMATIC1111 (without a variation)
 * @param rng which reference generator interprets the seed
 * @param batchSize images per prompt, ≥ 1
 * @param clipSkip 1 = last CLIP layer (no skip), 2 = penultimate, …
 * @param quantize how decoded values become 8-bit pixels ({@link Quantization}: round as diffusers, or
 *     truncate as CompVis' and AUTOMATIC1111's scripts)
 * @param variation AUTOMATIC1111's variation seed ({@link Variation}); empty for none. With one,
 *     every image keeps {@code seed} and image i takes {@code subseed + i} ({@link #imageSeed}, {@link #imageSubseed})
 * @param seedResize AUTOMATIC1111's "resize seed from" size ({@link SeedResize}); empty for none
 */
public record GenerationSettings(
    int width,
    int height,
    int steps,
    Optional<String> sampler,
    Optional<String> scheduler,
    double guidanceScale,
    double guidanceRescale,
    double guidanceCutoffSigma,
    long seed,
    RngKind rng,
    int batchSize,
    int clipSkip,
    Quantization quantize,
    Optional<Variation> variation,
    Optional<SeedResize> seedResize) {

  // The defaults, each in one place: text constants (annotation values must be constant
  // expressions), read by picocli's defaultValue in the app and by @WithDefault in the Quarkus
  // extension's configuration, and parsed once into DEFAULTS, where the builder starts.

  /** Default image width in pixels. */
  public static final String DEFAULT_WIDTH = "512";

  /** Default image height in pixels. */
  public static final String DEFAULT_HEIGHT = "512";

  /** Default sampler step count. */
  public static final String DEFAULT_STEPS = "20";

  /** Default classifier-free guidance scale. */
  public static final String DEFAULT_GUIDANCE_SCALE = "7.5";

  /**
   * The largest classifier-free guidance scale accepted. Common values are 1–15 (A1111's UI stops at
   * 30); far above, {@code uncond + s·(cond − uncond)} leaves the range the UNet was trained on and,
   * near float32's 3.4e38, overflows to infinity — a silently black or NaN image. 100 leaves room
   * for experiments and refuses the absurd.
   */
  public static final double MAX_GUIDANCE_SCALE = 100;

  /** Default guidance rescale φ (off). */
  public static final String DEFAULT_GUIDANCE_RESCALE = "0";

  /** Default CFG cut-off σ (off: every guided step runs the unconditional pass). */
  public static final String DEFAULT_GUIDANCE_CUTOFF_SIGMA = "0";

  /** Default seed of the library (the CLI and the HTTP APIs draw a {@link #randomSeed()} when none is given). */
  public static final String DEFAULT_SEED = "0";

  /** The seed value that asks for a random one, as AUTOMATIC1111's {@code seed: -1}. */
  public static final long RANDOM_SEED = -1;

  /**
   * A random seed as AUTOMATIC1111 draws one: non-negative and below 2³², so it fits every client's
   * seed field and the {@code numpy} RNG's 32-bit seeds.
   */
  public static long randomSeed() {
    return java.util.concurrent.ThreadLocalRandom.current().nextLong(1L << 32);
  }

  /** Default seed interpretation, a {@link RngKind#fromName} name. */
  public static final String DEFAULT_RNG = "torch";

  /** Default images per prompt. */
  public static final String DEFAULT_BATCH_SIZE = "1";

  /** Default CLIP skip (1 = last layer, no skip). */
  public static final String DEFAULT_CLIP_SKIP = "1";

  /**
   * Default 8-bit quantization, a {@link Quantization#fromName} name: {@code round}, the unbiased
   * rule (diffusers'); {@code truncate} reproduces CompVis'/AUTOMATIC1111's PNGs but darkens every
   * channel by half a level on average.
   */
  public static final String DEFAULT_QUANTIZE = "round";

  /**
   * The {@code DEFAULT_*} constants parsed: 512×512, 20 steps, model defaults for sampler and
   * schedule (no constant: absent), guidance 7.5 without rescale or cut-off, seed 0, torch RNG, one image, no
   * CLIP skip, rounding to 8 bits.
   */
  public static final GenerationSettings DEFAULTS = new GenerationSettings(
      Integer.parseInt(DEFAULT_WIDTH), Integer.parseInt(DEFAULT_HEIGHT), Integer.parseInt(DEFAULT_STEPS),
      Optional.empty(), Optional.empty(),
      Double.parseDouble(DEFAULT_GUIDANCE_SCALE), Double.parseDouble(DEFAULT_GUIDANCE_RESCALE),
      Double.parseDouble(DEFAULT_GUIDANCE_CUTOFF_SIGMA),
      Long.parseLong(DEFAULT_SEED), RngKind.fromName(DEFAULT_RNG),
      Integer.parseInt(DEFAULT_BATCH_SIZE), Integer.parseInt(DEFAULT_CLIP_SKIP), Quantization.fromName(DEFAULT_QUANTIZE),
      Optional.empty(), Optional.empty());

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
    checkGuidanceScale(guidanceScale);
    if (!(guidanceRescale >= 0 && guidanceRescale <= 1)) {
      throw new IllegalArgumentException("guidance rescale must be in [0, 1], got " + guidanceRescale);
    }
    checkGuidanceCutoffSigma(guidanceCutoffSigma);
    Objects.requireNonNull(rng, "rng");
    if (batchSize < 1) {
      throw new IllegalArgumentException("batch size must be >= 1, got " + batchSize);
    }
    if (clipSkip < 1) {
      throw new IllegalArgumentException("clip skip must be >= 1 (1 = no skip), got " + clipSkip);
    }
    Objects.requireNonNull(quantize, "quantize");
    Objects.requireNonNull(variation, "variation");
    Objects.requireNonNull(seedResize, "seedResize");
  }

  /**
   * The seed of image {@code i} of the batch, as AUTOMATIC1111 assigns it: {@code seed + i}, or
   * {@code seed} for every image with a {@link Variation}.
   */
  public long imageSeed(int i) {
    return variation.isPresent() ? seed : seed + i;
  }

  /** The variation seed of image {@code i} ({@code subseed + i}); empty without a {@link Variation}. */
  public Optional<Long> imageSubseed(int i) {
    return variation.map(v -> v.subseed() + i);
  }

  private static void requireName(String what, String s) {
    if (s.isBlank()) {
      throw new IllegalArgumentException(what + " name must not be blank (leave it empty for the model default)");
    }
  }

  /**
   * The guidance scale rule: in [0, {@link #MAX_GUIDANCE_SCALE}] (NaN refused).
   *
   * @throws IllegalArgumentException naming the value otherwise
   */
  public static void checkGuidanceScale(double guidanceScale) {
    if (!(guidanceScale >= 0 && guidanceScale <= MAX_GUIDANCE_SCALE)) {
      throw new IllegalArgumentException(
          "guidance scale must be in [0, " + (int) MAX_GUIDANCE_SCALE + "], got " + guidanceScale);
    }
  }

  /**
   * The CFG cut-off rule: finite and ≥ 0 (NaN refused).
   *
   * @throws IllegalArgumentException naming the value otherwise
   */
  public static void checkGuidanceCutoffSigma(double sigma) {
    if (!(sigma >= 0) || !Double.isFinite(sigma)) {
      throw new IllegalArgumentException("CFG cut-off sigma must be finite and >= 0 (0 = off), got " + sigma);
    }
  }

  /** A builder starting at {@link #DEFAULTS}. */
  public static Builder builder() {
    return DEFAULTS.toBuilder();
  }

  /** A builder starting at these settings. */
  public Builder toBuilder() {
    return new Builder(this);
  }

  /**
   * Settings field by field, from {@link #builder()} or {@link #toBuilder()}; {@link #build()}
   * validates as the canonical constructor. A setter replaces only the fields it names.
   */
  public static final class Builder {
    private int width;
    private int height;
    private int steps;
    private Optional<String> sampler;
    private Optional<String> scheduler;
    private double guidanceScale;
    private double guidanceRescale;
    private double guidanceCutoffSigma;
    private long seed;
    private RngKind rng;
    private int batchSize;
    private int clipSkip;
    private Quantization quantize;
    private Optional<Variation> variation;
    private Optional<SeedResize> seedResize;

    private Builder(GenerationSettings s) {
      width = s.width;
      height = s.height;
      steps = s.steps;
      sampler = s.sampler;
      scheduler = s.scheduler;
      guidanceScale = s.guidanceScale;
      guidanceRescale = s.guidanceRescale;
      guidanceCutoffSigma = s.guidanceCutoffSigma;
      seed = s.seed;
      rng = s.rng;
      batchSize = s.batchSize;
      clipSkip = s.clipSkip;
      quantize = s.quantize;
      variation = s.variation;
      seedResize = s.seedResize;
    }

    /** Image size in pixels, multiples of 8. */
    public Builder size(int width, int height) {
      this.width = width;
      this.height = height;
      return this;
    }

    /** Sampler steps, ≥ 1. */
    public Builder steps(int steps) {
      this.steps = steps;
      return this;
    }

    /** Sampler and σ/timestep schedule names; null for the model's default. */
    public Builder sampler(String sampler, String scheduler) {
      this.sampler = Optional.ofNullable(sampler);
      this.scheduler = Optional.ofNullable(scheduler);
      return this;
    }

    /** Guidance scale; the rescale keeps its value. */
    public Builder guidance(double scale) {
      this.guidanceScale = scale;
      return this;
    }

    /** Guidance scale and rescale. */
    public Builder guidance(double scale, double rescale) {
      this.guidanceScale = scale;
      this.guidanceRescale = rescale;
      return this;
    }

    /** The CFG cut-off σ<sub>min</sub>: guided steps below it skip the unconditional pass; 0 = off. */
    public Builder guidanceCutoff(double sigma) {
      this.guidanceCutoffSigma = sigma;
      return this;
    }

    /** The seed; the RNG keeps its kind. */
    public Builder seed(long seed) {
      this.seed = seed;
      return this;
    }

    /** The seed and the generator that interprets it. */
    public Builder seed(long seed, RngKind rng) {
      this.seed = seed;
      this.rng = rng;
      return this;
    }

    /** Images per prompt, ≥ 1. */
    public Builder batchSize(int batchSize) {
      this.batchSize = batchSize;
      return this;
    }

    /** CLIP skip: 1 = last layer, 2 = penultimate, …. */
    public Builder clipSkip(int clipSkip) {
      this.clipSkip = clipSkip;
      return this;
    }

    /** How decoded values become 8-bit pixels. */
    public Builder quantize(Quantization quantize) {
      this.quantize = quantize;
      return this;
    }

    /** The variation seed; null for none. */
    public Builder variation(Variation variation) {
      this.variation = Optional.ofNullable(variation);
      return this;
    }

    /** The "resize seed from" size; null for none. */
    public Builder seedResize(SeedResize seedResize) {
      this.seedResize = Optional.ofNullable(seedResize);
      return this;
    }

    /**
     * The settings.
     *
     * @throws IllegalArgumentException as the canonical constructor, for an invalid field
     */
    public GenerationSettings build() {
      return new GenerationSettings(width, height, steps, sampler, scheduler, guidanceScale, guidanceRescale,
          guidanceCutoffSigma, seed, rng, batchSize, clipSkip, quantize, variation, seedResize);
    }
  }
}
