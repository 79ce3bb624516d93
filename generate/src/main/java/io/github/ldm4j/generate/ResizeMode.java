package io.github.ldm4j.generate;

import io.github.ldm4j.generate.internal.Resampling;
import io.github.ldm4j.image.RgbImage;
import java.util.Objects;

/**
 * How an img2img init image (and its mask) of another size than the generation's is brought to that
 * size: AUTOMATIC1111's {@code resize_mode} as its {@code images.resize_image} does it with Pillow's
 * Lanczos filter (no upscaler model). Index {@code i} of the enum is A1111's {@code resize_mode: i}.
 */
public enum ResizeMode {
  /** 0: stretched to the size, the aspect ratio not kept. */
  JUST_RESIZE,
  /** 1: scaled to cover the size and cropped evenly, the aspect ratio kept. */
  CROP_AND_RESIZE,
  /**
   * 2: scaled to fit inside the size and centred; the bands left over are filled with the image's
   * edge rows (or columns) stretched across them (Pillow's default bicubic filter there, as A1111
   * calls {@code resize} without a filter).
   */
  RESIZE_AND_FILL,
  /**
   * 3: A1111's "just resize (latent upscale)", which resizes the encoded latent bilinearly; here the
   * image is stretched in pixel space as {@link #JUST_RESIZE} (the front end reports the difference).
   */
  LATENT_UPSCALE;

  /**
   * A1111's resize mode number {@code index} (0–3).
   *
   * @throws IllegalArgumentException for another number
   */
  public static ResizeMode fromIndex(int index) {
    if (index < 0 || index >= values().length) {
      throw new IllegalArgumentException("resize mode must be 0 (just resize), 1 (crop and resize), 2 (resize and fill) "
          + "or 3 (just resize, latent upscale), got " + index);
    }
    return values()[index];
  }

  /**
   * {@code image} at {@code width} × {@code height} by this mode; the image itself when it has that size.
   *
   * @throws IllegalArgumentException for a non-positive size
   */
  public RgbImage apply(RgbImage image, int width, int height) {
    Objects.requireNonNull(image, "image");
    if (width < 1 || height < 1) {
      throw new IllegalArgumentException("size must be positive, got " + width + "x" + height);
    }
    if (image.width() == width && image.height() == height) {
      return image;
    }
    int iw = image.width();
    int ih = image.height();
    // A1111 compares the ratios as Python floats
    double ratio = (double) width / height;
    double srcRatio = (double) iw / ih;
    return switch (this) {
      case JUST_RESIZE, LATENT_UPSCALE -> Resampling.lanczos(image, width, height);
      case CROP_AND_RESIZE -> {
        int sw = ratio > srcRatio ? width : intermediate((long) iw * height / ih, iw, ih, width, height);
        int sh = ratio <= srcRatio ? height : intermediate((long) ih * width / iw, iw, ih, width, height);
        checkIntermediate(sw, sh, iw, ih, width, height);
        yield paste(new byte[width * height * 3], width, height, Resampling.lanczos(image, sw, sh),
            Math.floorDiv(width, 2) - Math.floorDiv(sw, 2), Math.floorDiv(height, 2) - Math.floorDiv(sh, 2));
      }
      case RESIZE_AND_FILL -> {
        int sw = ratio < srcRatio ? width : intermediate((long) iw * height / ih, iw, ih, width, height);
        int sh = ratio >= srcRatio ? height : intermediate((long) ih * width / iw, iw, ih, width, height);
        checkIntermediate(sw, sh, iw, ih, width, height);
        RgbImage resized = Resampling.lanczos(image, sw, sh);
        byte[] out = new byte[width * height * 3];
        paste(out, width, height, resized, width / 2 - sw / 2, height / 2 - sh / 2);
        if (ratio < srcRatio) {
          int fill = height / 2 - sh / 2;
          if (fill > 0) {
            paste(out, width, height, Resampling.bicubic(resized, width, fill, 0, 0, width, 0), 0, 0);
            paste(out, width, height, Resampling.bicubic(resized, width, fill, 0, sh, width, sh), 0, fill + sh);
          }
        } else if (ratio > srcRatio) {
          int fill = width / 2 - sw / 2;
          if (fill > 0) {
            paste(out, width, height, Resampling.bicubic(resized, fill, height, 0, 0, 0, height), 0, 0);
            paste(out, width, height, Resampling.bicubic(resized, fill, height, sw, 0, sw, height), fill + sw, 0);
          }
        }
        yield new RgbImage(width, height, out); // RgbImage copies: made once everything is pasted
      }
    };
  }

  /** PIL's {@code paste(img, box=(x, y))} into {@code out} (black where nothing is pasted), clipped. */
  private static RgbImage paste(byte[] out, int width, int height, RgbImage img, int x, int y) {
    for (int r = 0; r < img.height(); r++) {
      int ty = y + r;
      if (ty < 0 || ty >= height) {
        continue;
      }
      for (int c = 0; c < img.width(); c++) {
        int tx = x + c;
        if (tx >= 0 && tx < width) {
          System.arraycopy(img.rgb(), (r * img.width() + c) * 3, out, (ty * width + tx) * 3, 3);
        }
      }
    }
    return new RgbImage(width, height, out);
  }

  /**
   * The largest intermediate image (in pixels) a crop or fill resize may make: 4 × the larger of the
   * source and the target. Beyond it, an init image of extreme aspect ratio (16 × 250,000 cropped to
   * 128 × 128 would resize to 128 × 2,000,000 first) is refused instead of exhausting memory.
   */
  private static final long INTERMEDIATE_FACTOR = 4;

  /** One side of the intermediate image, refused when it does not fit an {@code int}. */
  private static int intermediate(long side, int iw, int ih, int width, int height) {
    if (side > Integer.MAX_VALUE) {
      throw extreme(iw, ih, width, height);
    }
    return (int) side;
  }

  private static void checkIntermediate(int sw, int sh, int iw, int ih, int width, int height) {
    long bound = INTERMEDIATE_FACTOR * Math.max((long) iw * ih, (long) width * height);
    if (sw < 1 || sh < 1 || (long) sw * sh > bound) {
      throw extreme(iw, ih, width, height);
    }
  }

  private static IllegalArgumentException extreme(int iw, int ih, int width, int height) {
    return new IllegalArgumentException("the image's aspect ratio " + iw + "x" + ih + " is too far from " + width + "x"
        + height + " to crop or fill (use just resize)");
  }
}
