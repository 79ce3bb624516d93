package io.github.ldm4j.generate;

import java.util.Objects;

/**
 * AUTOMATIC1111's hires fix for text-to-image ({@code enable_hr}): a first pass at the settings'
 * size, an upscale to the target size ({@link HiresUpscaler}: in latent space, or decode → resize
 * → encode), then an image-to-image second pass at the target size with the same prompts and seeds
 * — its noise drawn afresh from each image's seed at the target latent size, as A1111's {@code
 * sample_hr_pass} does — that denoises from {@code denoisingStrength} for {@code steps} steps.
 *
 * @param target the final size: a scale of the first pass ({@code hr_scale}) or a size ({@code hr_resize_x/y})
 * @param upscaler how the first pass is enlarged ({@code hr_upscaler})
 * @param steps second-pass steps ({@code hr_second_pass_steps}), ≥ 0; 0 = as many as the first pass
 * @param denoisingStrength the second pass's strength ({@code denoising_strength}) in (0, 1]
 */
public record HiresFix(Target target, HiresUpscaler upscaler, int steps, double denoisingStrength) {

  /** Default scale, A1111's {@code hr_scale}. */
  public static final String DEFAULT_SCALE = "2";

  /** The largest scale accepted (A1111's UI stops at 4). */
  public static final double MAX_SCALE = 8;

  /** Validates. */
  public HiresFix {
    Objects.requireNonNull(target, "target");
    Objects.requireNonNull(upscaler, "upscaler");
    if (steps < 0) {
      throw new IllegalArgumentException("hires steps must be >= 0 (0 = as many as the first pass), got " + steps);
    }
    if (!(denoisingStrength > 0 && denoisingStrength <= 1)) {
      throw new IllegalArgumentException("hires denoising strength must be in (0, 1], got " + denoisingStrength);
    }
  }

  /**
   * A hires fix at A1111's defaults but for the target: {@link HiresUpscaler#LATENT}, second-pass
   * steps as the first, strength {@link GenerationRequest#DEFAULT_STRENGTH}.
   */
  public static HiresFix of(Target target) {
    return new HiresFix(target, HiresUpscaler.fromName(HiresUpscaler.DEFAULT), 0,
        Double.parseDouble(GenerationRequest.DEFAULT_STRENGTH));
  }

  /** The final size. */
  public sealed interface Target {}

  /**
   * The first pass's size times {@code factor} ({@code hr_scale}), each side truncated to an integer
   * as A1111 does; both must come out as multiples of 8.
   *
   * @param factor in [1, {@value #MAX_SCALE}]
   */
  public record Scale(double factor) implements Target {
    /** Validates. */
    public Scale {
      if (!(factor >= 1 && factor <= MAX_SCALE)) {
        throw new IllegalArgumentException("hires scale must be in [1, " + (int) MAX_SCALE + "], got " + factor);
      }
    }
  }

  /**
   * A size ({@code hr_resize_x}, {@code hr_resize_y}), multiples of 8; one side 0 keeps the first
   * pass's aspect ratio. When both are given and the aspect differs, A1111's rule: upscale to cover
   * the size, then crop the latent evenly to it.
   *
   * @param width target width, or 0
   * @param height target height, or 0
   */
  public record Size(int width, int height) implements Target {
    /** Validates. */
    public Size {
      if (width < 0 || height < 0 || width % 8 != 0 || height % 8 != 0 || (width == 0 && height == 0)) {
        throw new IllegalArgumentException(
            "hires size must be multiples of 8 (one of them may be 0 to keep the aspect ratio), got " + width + "x" + height);
      }
    }
  }

  /**
   * Where the upscale goes: the size the first pass is enlarged to, and the final size after the
   * centred crop ({@code width ≤ upscaleWidth}, {@code height ≤ upscaleHeight}).
   */
  public record Resolution(int upscaleWidth, int upscaleHeight, int width, int height) {}

  /**
   * The upscale and final sizes for a first pass of {@code baseWidth × baseHeight} (A1111's {@code
   * calculate_target_resolution}).
   *
   * @throws IllegalArgumentException when the final size is not a multiple of 8, naming the values
   */
  public Resolution resolve(int baseWidth, int baseHeight) {
    Resolution r = switch (target) {
      case Scale s -> {
        int w = (int) (baseWidth * s.factor());
        int h = (int) (baseHeight * s.factor());
        yield new Resolution(w, h, w, h);
      }
      case Size z when z.height() == 0 -> {
        int h = z.width() * baseHeight / baseWidth;
        yield new Resolution(z.width(), h, z.width(), h);
      }
      case Size z when z.width() == 0 -> {
        int w = z.height() * baseWidth / baseHeight;
        yield new Resolution(w, z.height(), w, z.height());
      }
      case Size z -> {
        double src = (double) baseWidth / baseHeight;
        double dst = (double) z.width() / z.height();
        yield src < dst
            ? new Resolution(z.width(), z.width() * baseHeight / baseWidth, z.width(), z.height())
            : new Resolution(z.height() * baseWidth / baseHeight, z.height(), z.width(), z.height());
      }
    };
    if (r.width() % 8 != 0 || r.height() % 8 != 0 || r.width() < 8 || r.height() < 8) {
      throw new IllegalArgumentException("hires fix of " + baseWidth + "x" + baseHeight + " by " + describe()
          + " gives " + r.width() + "x" + r.height() + ", which is not a multiple of 8; choose a scale or size that is");
    }
    return r;
  }

  /** The second pass's settings: the final size and {@link #steps(int)}; everything else as {@code first}. */
  public GenerationSettings secondPass(GenerationSettings first) {
    Resolution r = resolve(first.width(), first.height());
    return first.toBuilder().size(r.width(), r.height()).steps(steps(first.steps())).build();
  }

  /** The second pass's step count: {@code steps}, or {@code firstPassSteps} when it is 0. */
  public int steps(int firstPassSteps) {
    return steps == 0 ? firstPassSteps : steps;
  }

  /** "scale 2" or "size 1024x768", for messages. */
  String describe() {
    return switch (target) {
      case Scale s -> "scale " + s.factor();
      case Size z -> "size " + z.width() + "x" + z.height();
    };
  }
}
