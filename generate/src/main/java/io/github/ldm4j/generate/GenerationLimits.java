package io.github.ldm4j.generate;

/**
 * Upper bounds a {@link Generator} enforces before doing any work, so that an oversized request is
 * a clear error instead of an exhausted machine.
 *
 * @param maxWidth largest width in pixels
 * @param maxHeight largest height in pixels
 * @param maxPixels largest width × height × batch size
 * @param maxSteps largest step count
 * @param maxBatchSize largest batch size
 * @param tiledDecodeAbovePixels images with more pixels than this are VAE-decoded in tiles
 */
public record GenerationLimits(
    int maxWidth, int maxHeight, long maxPixels, int maxSteps, int maxBatchSize, long tiledDecodeAbovePixels) {

  /** 2048 px per side, 4 Mpx per request, 500 steps, 16 images; tiles above 1 Mpx. */
  public static final GenerationLimits DEFAULTS = new GenerationLimits(2048, 2048, 4L << 20, 500, 16, 1L << 20);

  /** Validates. */
  public GenerationLimits {
    if (maxWidth < 8 || maxHeight < 8 || maxPixels < 64 || maxSteps < 1 || maxBatchSize < 1 || tiledDecodeAbovePixels < 64) {
      throw new IllegalArgumentException("generation limits must be positive (sizes >= 8 px), got " + this);
    }
  }

  /**
   * Throws {@link IllegalArgumentException} naming the exceeded limit.
   */
  public void check(GenerationSettings s) {
    if (s.width() > maxWidth || s.height() > maxHeight) {
      throw new IllegalArgumentException(
          "size " + s.width() + "x" + s.height() + " exceeds the limit of " + maxWidth + "x" + maxHeight);
    }
    long px = (long) s.width() * s.height() * s.batchSize();
    if (px > maxPixels) {
      throw new IllegalArgumentException(
          s.batchSize() + " image(s) of " + s.width() + "x" + s.height() + " = " + px + " pixels exceed the limit of " + maxPixels);
    }
    if (s.seedResize().isPresent()
        && (s.seedResize().get().width() > maxWidth || s.seedResize().get().height() > maxHeight)) {
      SeedResize r = s.seedResize().get();
      throw new IllegalArgumentException("seed resize size " + r.width() + "x" + r.height() + " exceeds the limit of "
          + maxWidth + "x" + maxHeight);
    }
    if (s.steps() > maxSteps) {
      throw new IllegalArgumentException("steps " + s.steps() + " exceed the limit of " + maxSteps);
    }
    if (s.batchSize() > maxBatchSize) {
      throw new IllegalArgumentException("batch size " + s.batchSize() + " exceeds the limit of " + maxBatchSize);
    }
  }
}
