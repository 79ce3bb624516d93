package io.github.ldm4j.generate;

/**
 * AUTOMATIC1111's "resize seed from width/height": the seed's noise is drawn as if for an image of
 * this size and pasted, centred (cropped where larger), into noise of the real size, so that a seed
 * keeps its composition when the size changes. The rest of the noise is the seed's own noise at
 * the real size.
 *
 * @param width the width in pixels the seed's noise is drawn for, ≥ 8
 * @param height the height in pixels the seed's noise is drawn for, ≥ 8
 */
public record SeedResize(int width, int height) {

  /** Validates. */
  public SeedResize {
    if (width < 8 || height < 8) {
      throw new IllegalArgumentException("seed resize size must be at least 8x8 pixels, got " + width + "x" + height);
    }
  }
}
