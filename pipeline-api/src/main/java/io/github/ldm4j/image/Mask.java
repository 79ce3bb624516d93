package io.github.ldm4j.image;

import io.github.ldm4j.tensor.Tensor;
import java.util.Arrays;
import java.util.Objects;

/**
 * An inpainting mask: one value in [0, 1] per pixel, 1 (white) where the image is to be generated
 * and 0 (black) where it is kept, as diffusers and AUTOMATIC1111 read mask images.
 *
 * @param width pixels per row
 * @param height rows
 * @param values {@code width·height} values in [0, 1] (copied)
 */
public record Mask(int width, int height, float[] values) {

  /** Validates and copies. */
  public Mask {
    if (width < 1 || height < 1) {
      throw new IllegalArgumentException("mask size must be positive, got " + width + "x" + height);
    }
    Objects.requireNonNull(values, "values");
    if ((long) width * height != values.length) {
      throw new IllegalArgumentException(
          values.length + " values for a " + width + "x" + height + " mask, expected " + (long) width * height);
    }
    values = values.clone();
    for (int i = 0; i < values.length; i++) {
      if (!(values[i] >= 0 && values[i] <= 1)) {
        throw new IllegalArgumentException("mask value " + values[i] + " at " + i + " is outside [0, 1]");
      }
    }
  }

  @Override
  public float[] values() {
    return values.clone();
  }

  /** A mask from an image's luminance (the mean of R, G, B over 255): white = generate. */
  public static Mask fromImage(RgbImage image) {
    float[] v = new float[image.width() * image.height()];
    byte[] rgb = image.rgb();
    for (int i = 0; i < v.length; i++) {
      v[i] = ((rgb[3 * i] & 0xff) + (rgb[3 * i + 1] & 0xff) + (rgb[3 * i + 2] & 0xff)) / 765f;
    }
    return new Mask(image.width(), image.height(), v);
  }

  /** The mask binarised at 0.5, as diffusers' inpainting pipelines do. */
  public Mask binarized() {
    float[] v = values.clone();
    for (int i = 0; i < v.length; i++) {
      v[i] = v[i] >= 0.5f ? 1f : 0f;
    }
    return new Mask(width, height, v);
  }

  /** Value at pixel (x, y). */
  public float at(int x, int y) {
    return values[y * width + x];
  }

  /** The mask as a tensor {@code [1, 1, H, W]}. */
  public Tensor toTensor() {
    return Tensor.of(values, 1, 1, height, width);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Mask m && m.width == width && m.height == height && Arrays.equals(values, m.values);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(values);
  }

  @Override
  public String toString() {
    return "Mask[" + width + "x" + height + "]";
  }
}
