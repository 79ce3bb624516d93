package io.github.ldm4j.generate;

import io.github.ldm4j.generate.internal.Resampling;
import io.github.ldm4j.generate.internal.Resampling.Kernel;
import io.github.ldm4j.image.RgbImage;
import io.github.ldm4j.tensor.Tensor;
import java.util.Arrays;
import java.util.List;

/**
 * How {@link HiresFix} enlarges the first pass, by AUTOMATIC1111's names ({@code hr_upscaler}):
 * the latent modes of its {@code shared.latent_upscale_modes} interpolate the latent with torch's
 * {@code F.interpolate} (mode and antialias as A1111 sets them, {@code align_corners=False}); the
 * pixel upscalers decode the first pass to 8-bit RGB, resize it with Pillow's filter and encode it
 * again.
 */
public enum HiresUpscaler {
  /** {@code "Latent"}: bilinear (A1111's default {@code latent_upscale_default_mode}). */
  LATENT("Latent", Kernel.BILINEAR, false),
  /** {@code "Latent (antialiased)"}: bilinear, antialiased. */
  LATENT_ANTIALIASED("Latent (antialiased)", Kernel.BILINEAR, true),
  /** {@code "Latent (bicubic)"}: bicubic (A = −0.75). */
  LATENT_BICUBIC("Latent (bicubic)", Kernel.BICUBIC, false),
  /** {@code "Latent (bicubic antialiased)"}: torch's antialiased bicubic (a = −0.5, as Pillow). */
  LATENT_BICUBIC_ANTIALIASED("Latent (bicubic antialiased)", Kernel.BICUBIC, true),
  /** {@code "Latent (nearest)"}: torch's {@code nearest}. */
  LATENT_NEAREST("Latent (nearest)", Kernel.NEAREST, false),
  /** {@code "Latent (nearest-exact)"}: torch's {@code nearest-exact}. */
  LATENT_NEAREST_EXACT("Latent (nearest-exact)", Kernel.NEAREST_EXACT, false),
  /** {@code "Lanczos"}: decode, Pillow's {@code LANCZOS} resize, encode. */
  LANCZOS("Lanczos", null, false),
  /** {@code "Nearest"}: decode, Pillow's {@code NEAREST} resize, encode. */
  NEAREST("Nearest", null, false);

  /** The default, A1111's: {@code "Latent"}. */
  public static final String DEFAULT = "Latent";

  private final String a1111Name;
  private final Kernel kernel;
  private final boolean antialias;

  HiresUpscaler(String a1111Name, Kernel kernel, boolean antialias) {
    this.a1111Name = a1111Name;
    this.kernel = kernel;
    this.antialias = antialias;
  }

  /** The name AUTOMATIC1111 uses ({@code hr_upscaler}, the {@code Hires upscaler} parameter). */
  public String a1111Name() {
    return a1111Name;
  }

  /** Whether it works on the latent (no VAE decode/encode between the passes). */
  public boolean isLatent() {
    return kernel != null;
  }

  /** Every name {@link #fromName} accepts, in declaration order. */
  public static List<String> names() {
    return Arrays.stream(values()).map(HiresUpscaler::a1111Name).toList();
  }

  /**
   * The upscaler named {@code name}: its A1111 name or its constant name, case-insensitively
   * ({@code "Latent (bicubic)"}, {@code "latent_bicubic"}).
   *
   * @throws IllegalArgumentException listing the names, for an unknown one
   */
  public static HiresUpscaler fromName(String name) {
    if (name != null) {
      String n = name.strip();
      for (HiresUpscaler u : values()) {
        if (u.a1111Name.equalsIgnoreCase(n) || u.name().equalsIgnoreCase(n)) {
          return u;
        }
      }
    }
    throw new IllegalArgumentException("unknown hires upscaler " + (name == null ? "null" : "\"" + name + "\"")
        + "; known: " + String.join(", ", names()));
  }

  /** A latent {@code [N, C, h, w]} interpolated to {@code [N, C, height, width]}. */
  Tensor upscaleLatent(Tensor latent, int height, int width) {
    if (!isLatent()) {
      throw new IllegalStateException(a1111Name + " is a pixel upscaler");
    }
    return Resampling.interpolate(latent, height, width, kernel, antialias);
  }

  /**
   * An image resized to {@code width × height} (larger or smaller) with this pixel upscaler's filter.
   *
   * @throws IllegalStateException for a latent upscaler
   */
  public RgbImage upscaleImage(RgbImage image, int width, int height) {
    return switch (this) {
      case LANCZOS -> Resampling.lanczos(image, width, height);
      case NEAREST -> Resampling.nearest(image, width, height);
      default -> throw new IllegalStateException(a1111Name + " is a latent upscaler");
    };
  }
}
