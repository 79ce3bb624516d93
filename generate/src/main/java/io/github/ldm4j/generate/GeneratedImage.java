package io.github.ldm4j.generate;

import io.github.ldm4j.image.PngCodec;
import io.github.ldm4j.image.RgbImage;
import java.util.Objects;
import java.util.Optional;

/**
 * One generated image with what reproduces it.
 *
 * @param image the pixels
 * @param seed the seed that reproduces this image alone (batch size 1)
 * @param parameters the generation parameters in AUTOMATIC1111's text form
 */
public record GeneratedImage(RgbImage image, long seed, String parameters) {

  /** Validates. */
  public GeneratedImage {
    Objects.requireNonNull(image, "image");
    Objects.requireNonNull(parameters, "parameters");
  }

  /** PNG bytes with the parameters in a {@code parameters} text chunk. */
  public byte[] png() {
    return PngCodec.encode(image, Optional.of(parameters));
  }
}
