package io.github.ldm4j.image;

import java.util.Locale;

/**
 * How a decoded image value x in [−1, 1] becomes an 8-bit channel. Both rules first compute, in
 * float32 as the reference scripts do, u = clamp((x + 1)/2, 0, 1) and then 255·u; they differ only
 * in the last step.
 */
public enum Quantization {
  /**
   * Round to nearest, ties to even: diffusers' {@code (images * 255).round().astype("uint8")}
   * (NumPy's {@code round}). The unbiased rule: the error is at most ½ level.
   */
  ROUND,
  /**
   * Truncate toward zero: CompVis' {@code scripts/txt2img.py} and AUTOMATIC1111's {@code
   * (255. * x).astype(np.uint8)}, which darkens by ½ level on average; only 1.0 maps to 255.
   */
  TRUNCATE;

  /** The lower-case name ({@code round}, {@code truncate}). */
  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }

  /**
   * The 8-bit value (0..255) of the decoded value {@code x}; values outside [−1, 1] clamp.
   *
   * @throws IllegalArgumentException for NaN
   */
  public int apply(float x) {
    if (Float.isNaN(x)) {
      throw new IllegalArgumentException("cannot quantize NaN");
    }
    float u = Math.min(Math.max((x + 1f) / 2f, 0f), 1f);
    float scaled = 255f * u;
    return this == ROUND ? (int) Math.rint(scaled) : (int) scaled;
  }

  /** Parses {@code round} or {@code truncate}, case-insensitively. */
  public static Quantization fromName(String name) {
    String n = name == null ? "" : name.trim().toLowerCase(Locale.ROOT);
    for (Quantization q : values()) {
      if (q.label().equals(n)) {
        return q;
      }
    }
    throw new IllegalArgumentException("unknown quantization '" + name + "'; expected one of round, truncate");
  }
}
