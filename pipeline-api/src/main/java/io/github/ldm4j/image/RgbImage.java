package io.github.ldm4j.image;

import io.github.ldm4j.tensor.Tensor;
import java.util.Arrays;
import java.util.Objects;

/**
 * An 8-bit RGB image, rows top to bottom, pixels left to right, 3 bytes per pixel.
 *
 * @param width pixels per row
 * @param height rows
 * @param rgb {@code width·height·3} bytes (copied in and out)
 */
public record RgbImage(int width, int height, byte[] rgb) {

  /** Validates and copies. */
  public RgbImage {
    if (width < 1 || height < 1) {
      throw new IllegalArgumentException("image size must be positive, got " + width + "x" + height);
    }
    Objects.requireNonNull(rgb, "rgb");
    if ((long) width * height * 3 != rgb.length) {
      throw new IllegalArgumentException(
          rgb.length + " bytes for a " + width + "x" + height + " RGB image, expected " + (long) width * height * 3);
    }
    rgb = rgb.clone();
  }

  @Override
  public byte[] rgb() {
    return rgb.clone();
  }

  /** Channel {@code c} (0 = red) of pixel (x, y), 0..255. */
  public int channel(int x, int y, int c) {
    return rgb[(y * width + x) * 3 + c] & 0xff;
  }

  /**
   * The image as a model input {@code [1, 3, H, W]} in [−1, 1] (x/127.5 − 1, as CompVis and
   * diffusers preprocess).
   */
  public Tensor toTensor() {
    Tensor t = Tensor.zeros(1, 3, height, width);
    int plane = width * height;
    for (int i = 0; i < plane; i++) {
      for (int c = 0; c < 3; c++) {
        t.set(c * plane + i, (rgb[i * 3 + c] & 0xff) / 127.5f - 1f);
      }
    }
    return t;
  }

  /**
   * Batch item {@code index} of a decoded image tensor {@code [B, 3, H, W]} in [−1, 1] as 8-bit RGB:
   * clamp((x + 1)/2, 0, 1)·255, rounded or truncated as {@code quantization} says. NaN becomes an
   * error, never a black pixel.
   */
  public static RgbImage fromTensor(Tensor images, int index, Quantization quantization) {
    java.util.Objects.requireNonNull(quantization, "quantization");
    if (images.rank() != 4 || images.dim(1) != 3) {
      throw new IllegalArgumentException("images must be [B, 3, H, W], got " + images.shape());
    }
    Tensor one = images.batch(index);
    int h = images.dim(2);
    int w = images.dim(3);
    int plane = w * h;
    byte[] out = new byte[plane * 3];
    for (int i = 0; i < plane; i++) {
      for (int c = 0; c < 3; c++) {
        float v = one.get(c * plane + i);
        if (Float.isNaN(v)) {
          throw new IllegalStateException("decoded image " + index + " contains NaN at channel " + c + ", pixel " + i);
        }
        out[i * 3 + c] = (byte) quantization.apply(v);
      }
    }
    return new RgbImage(w, h, out);
  }

  /** Mean absolute difference to another image of the same size, in 0..255 units. */
  public double meanAbsoluteError(RgbImage other) {
    if (other.width != width || other.height != height) {
      throw new IllegalArgumentException("sizes differ: " + width + "x" + height + " vs " + other.width + "x" + other.height);
    }
    long s = 0;
    for (int i = 0; i < rgb.length; i++) {
      s += Math.abs((rgb[i] & 0xff) - (other.rgb[i] & 0xff));
    }
    return (double) s / rgb.length;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof RgbImage r && r.width == width && r.height == height && Arrays.equals(rgb, r.rgb);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(rgb) * 31 + width * 7 + height;
  }

  @Override
  public String toString() {
    return "RgbImage[" + width + "x" + height + "]";
  }
}
