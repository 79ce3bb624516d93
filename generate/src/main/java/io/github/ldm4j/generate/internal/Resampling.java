package io.github.ldm4j.generate.internal;

import io.github.ldm4j.image.RgbImage;
import io.github.ldm4j.tensor.Tensor;
import java.util.Objects;
import java.util.function.DoubleUnaryOperator;

/**
 * Separable resampling of latents ({@code [N, C, H, W]} tensors) with the semantics of torch's
 * {@code torch.nn.functional.interpolate} (1.13, {@code align_corners=False}), and of 8-bit RGB
 * images with those of Pillow's {@code Image.resize} — the operations AUTOMATIC1111's hires fix
 * calls. Tested against values produced by both ({@code generate/src/test/python/hires_resample_golden.py}).
 *
 * <p>Latent kernels: {@link Kernel#BILINEAR} and {@link Kernel#BICUBIC} (A = −0.75, border indices
 * clamped), {@link Kernel#NEAREST} (⌊dst·in/out⌋, torch's legacy rule) and {@link
 * Kernel#NEAREST_EXACT} (⌊(dst + ½)·in/out⌋); with {@code antialias} bilinear and bicubic use
 * torch's antialiased filters (Pillow's: a triangle, or a cubic with a = −0.5, widened by the
 * downscale factor and renormalized at the borders). Arithmetic is in double where torch uses
 * float32: results agree to about 1e-6.
 *
 * <p>Image kernels: {@link #lanczos} is Pillow's {@code LANCZOS} exactly (3-lobe windowed sinc,
 * coefficients in 22-bit fixed point, a horizontal pass to an 8-bit intermediate, then a vertical
 * pass), {@link #nearest} Pillow's {@code NEAREST} (the source pixel under each output pixel's
 * centre).
 */
public final class Resampling {

  private Resampling() {}

  /** A latent interpolation mode of {@code F.interpolate}. */
  public enum Kernel {
    /** {@code mode="bilinear"}. */
    BILINEAR,
    /** {@code mode="bicubic"}. */
    BICUBIC,
    /** {@code mode="nearest"}. */
    NEAREST,
    /** {@code mode="nearest-exact"}. */
    NEAREST_EXACT
  }

  /** Per-output taps along one axis: source indices and weights. */
  private record Taps(int[][] index, double[][] weight) {}

  /**
   * {@code F.interpolate(x, size=(outH, outW), mode=kernel, antialias=antialias, align_corners=False)}.
   *
   * @param x a {@code [N, C, H, W]} tensor
   * @throws IllegalArgumentException for another rank, a non-positive size, or antialias with a nearest kernel
   */
  public static Tensor interpolate(Tensor x, int outH, int outW, Kernel kernel, boolean antialias) {
    Objects.requireNonNull(x, "x");
    Objects.requireNonNull(kernel, "kernel");
    if (x.rank() != 4) {
      throw new IllegalArgumentException("interpolate needs an [N, C, H, W] tensor, got " + x.shape());
    }
    if (outH < 1 || outW < 1) {
      throw new IllegalArgumentException("output size must be positive, got " + outW + "x" + outH);
    }
    if (antialias && (kernel == Kernel.NEAREST || kernel == Kernel.NEAREST_EXACT)) {
      throw new IllegalArgumentException("antialias applies to bilinear and bicubic only, not " + kernel);
    }
    int planes = x.dim(0) * x.dim(1);
    int h = x.dim(2);
    int w = x.dim(3);
    Taps tx = taps(w, outW, kernel, antialias);
    Taps ty = taps(h, outH, kernel, antialias);
    Tensor out = Tensor.zeros(x.dim(0), x.dim(1), outH, outW);
    double[] row = new double[h * outW];
    for (int p = 0; p < planes; p++) {
      int inBase = p * h * w;
      for (int y = 0; y < h; y++) {
        for (int ox = 0; ox < outW; ox++) {
          double s = 0;
          int[] idx = tx.index[ox];
          double[] wt = tx.weight[ox];
          for (int k = 0; k < idx.length; k++) {
            s += wt[k] * x.get(inBase + y * w + idx[k]);
          }
          row[y * outW + ox] = s;
        }
      }
      int outBase = p * outH * outW;
      for (int oy = 0; oy < outH; oy++) {
        int[] idx = ty.index[oy];
        double[] wt = ty.weight[oy];
        for (int ox = 0; ox < outW; ox++) {
          double s = 0;
          for (int k = 0; k < idx.length; k++) {
            s += wt[k] * row[idx[k] * outW + ox];
          }
          out.set(outBase + oy * outW + ox, (float) s);
        }
      }
    }
    return out;
  }

  private static Taps taps(int in, int out, Kernel kernel, boolean antialias) {
    int[][] index = new int[out][];
    double[][] weight = new double[out][];
    double scale = (double) in / out;
    float scaleF = (float) in / out;
    if (antialias) {
      return kernel == Kernel.BILINEAR
          ? filterTaps(in, out, Resampling::triangle, 1)
          : filterTaps(in, out, v -> cubic(v, -0.5), 2);
    }
    for (int o = 0; o < out; o++) {
      switch (kernel) {
        case NEAREST -> {
          // torch's nearest_idx: float arithmetic, exact for out = in and out = 2·in
          int i = (int) Math.floor((float) o * scaleF);
          index[o] = new int[] {Math.min(i, in - 1)};
          weight[o] = new double[] {1};
        }
        case NEAREST_EXACT -> {
          int i = (int) Math.floor((float) ((o + 0.5) * scaleF));
          index[o] = new int[] {Math.min(i, in - 1)};
          weight[o] = new double[] {1};
        }
        case BILINEAR -> {
          double real = Math.max(scale * (o + 0.5) - 0.5, 0);
          int i0 = (int) real;
          double l = real - i0;
          int i1 = i0 < in - 1 ? i0 + 1 : i0;
          index[o] = new int[] {i0, i1};
          weight[o] = new double[] {1 - l, l};
        }
        case BICUBIC -> {
          double real = scale * (o + 0.5) - 0.5;
          int i = (int) Math.floor(real);
          double t = real - i;
          index[o] = new int[] {clamp(i - 1, in), clamp(i, in), clamp(i + 1, in), clamp(i + 2, in)};
          weight[o] = new double[] {cubic(t + 1, -0.75), cubic(t, -0.75), cubic(1 - t, -0.75), cubic(2 - t, -0.75)};
        }
      }
    }
    return new Taps(index, weight);
  }

  /**
   * Pillow's {@code precompute_coeffs} (torch's antialiased {@code _compute_indices_weights_aa} is
   * the same): the filter of half-width {@code support} widened by the downscale factor, taps inside
   * the image only, normalized to sum 1.
   */
  private static Taps filterTaps(int in, int out, DoubleUnaryOperator filter, double support) {
    return filterTaps(in, 0, in, out, filter, support);
  }

  /** Pillow's {@code precompute_coeffs} for the source interval [in0, in1) of {@code in} pixels. */
  private static Taps filterTaps(int in, double in0, double in1, int out, DoubleUnaryOperator filter, double support) {
    double scale = (in1 - in0) / out;
    double filterScale = Math.max(scale, 1);
    double sup = support * filterScale;
    double ss = 1 / filterScale;
    int[][] index = new int[out][];
    double[][] weight = new double[out][];
    for (int o = 0; o < out; o++) {
      double center = in0 + (o + 0.5) * scale;
      int xmin = Math.max((int) (center - sup + 0.5), 0);
      int xmax = Math.min((int) (center + sup + 0.5), in) - xmin;
      int[] idx = new int[Math.max(xmax, 0)];
      double[] wt = new double[idx.length];
      double total = 0;
      for (int k = 0; k < idx.length; k++) {
        idx[k] = xmin + k;
        wt[k] = filter.applyAsDouble((k + xmin - center + 0.5) * ss);
        total += wt[k];
      }
      if (total != 0) {
        for (int k = 0; k < wt.length; k++) {
          wt[k] /= total;
        }
      }
      index[o] = idx;
      weight[o] = wt;
    }
    return new Taps(index, weight);
  }

  private static int clamp(int i, int n) {
    return Math.max(0, Math.min(i, n - 1));
  }

  private static double triangle(double x) {
    x = Math.abs(x);
    return x < 1 ? 1 - x : 0;
  }

  /** Keys' cubic convolution kernel with parameter {@code a}. */
  private static double cubic(double x, double a) {
    x = Math.abs(x);
    if (x < 1) {
      return ((a + 2) * x - (a + 3)) * x * x + 1;
    }
    if (x < 2) {
      return (((x - 5) * x + 8) * x - 4) * a;
    }
    return 0;
  }

  private static double sinc(double x) {
    if (x == 0) {
      return 1;
    }
    x *= Math.PI;
    return Math.sin(x) / x;
  }

  private static double lanczos3(double x) {
    return x >= -3 && x < 3 ? sinc(x) * sinc(x / 3) : 0;
  }

  private static final int PRECISION_BITS = 32 - 8 - 2;

  /**
   * {@code image.resize((width, height), Image.LANCZOS)}.
   *
   * @throws IllegalArgumentException for a non-positive size
   */
  public static RgbImage lanczos(RgbImage image, int width, int height) {
    requireSize(image, width, height);
    byte[] src = image.rgb();
    int w = image.width();
    int h = image.height();
    if (width != w) {
      src = pass8(src, w, h, width, true);
      w = width;
    }
    if (height != h) {
      src = pass8(src, w, h, height, false);
      h = height;
    }
    return new RgbImage(w, h, src);
  }

  /**
   * {@code image.resize((width, height), Image.LANCZOS, box=(x0, y0, x1, y1))}: the source region
   * (which may be empty along an axis, as A1111's resize-and-fill takes an edge) resampled to {@code
   * width} × {@code height}; an axis whose output and box equal the image's is not resampled, as
   * Pillow's.
   *
   * @throws IllegalArgumentException for a non-positive size
   */
  public static RgbImage lanczos(RgbImage image, int width, int height, double x0, double y0, double x1, double y1) {
    return resample(image, width, height, x0, y0, x1, y1, Resampling::lanczos3, 3);
  }

  /**
   * {@code image.resize((width, height), box=(x0, y0, x1, y1))} with Pillow's default filter for RGB,
   * {@code Image.BICUBIC} (a = −0.5), as A1111's resize-and-fill makes its bands; otherwise as {@link
   * #lanczos(RgbImage, int, int, double, double, double, double)}.
   *
   * @throws IllegalArgumentException for a non-positive size
   */
  public static RgbImage bicubic(RgbImage image, int width, int height, double x0, double y0, double x1, double y1) {
    return resample(image, width, height, x0, y0, x1, y1, v -> cubic(v, -0.5), 2);
  }

  private static RgbImage resample(RgbImage image, int width, int height, double x0, double y0, double x1, double y1,
      DoubleUnaryOperator filter, double support) {
    requireSize(image, width, height);
    byte[] src = image.rgb();
    int w = image.width();
    int h = image.height();
    if (width != w || x0 != 0 || x1 != width) {
      src = pass8(src, w, h, width, true, x0, x1, filter, support);
      w = width;
    }
    if (height != h || y0 != 0 || y1 != height) {
      src = pass8(src, w, h, height, false, y0, y1, filter, support);
      h = height;
    }
    return new RgbImage(w, h, src);
  }

  /** One Pillow 8-bit resampling pass along x ({@code horizontal}) or y, to {@code out} pixels. */
  private static byte[] pass8(byte[] src, int w, int h, int out, boolean horizontal) {
    return pass8(src, w, h, out, horizontal, 0, horizontal ? w : h, Resampling::lanczos3, 3);
  }

  /** One Pillow 8-bit pass of the source interval [in0, in1) along x ({@code horizontal}) or y. */
  private static byte[] pass8(byte[] src, int w, int h, int out, boolean horizontal, double in0, double in1,
      DoubleUnaryOperator filter, double support) {
    int in = horizontal ? w : h;
    Taps taps = filterTaps(in, in0, in1, out, filter, support);
    int[][] fixed = new int[out][];
    for (int o = 0; o < out; o++) {
      double[] wt = taps.weight[o];
      fixed[o] = new int[wt.length];
      for (int k = 0; k < wt.length; k++) {
        double v = wt[k] * (1 << PRECISION_BITS);
        fixed[o][k] = (int) (v < 0 ? v - 0.5 : v + 0.5);
      }
    }
    int ow = horizontal ? out : w;
    int oh = horizontal ? h : out;
    byte[] dst = new byte[ow * oh * 3];
    for (int y = 0; y < oh; y++) {
      for (int x = 0; x < ow; x++) {
        int o = horizontal ? x : y;
        int[] idx = taps.index[o];
        int[] k = fixed[o];
        for (int c = 0; c < 3; c++) {
          int ss = 1 << (PRECISION_BITS - 1);
          for (int t = 0; t < idx.length; t++) {
            int sx = horizontal ? idx[t] : x;
            int sy = horizontal ? y : idx[t];
            ss += (src[(sy * w + sx) * 3 + c] & 0xff) * k[t];
          }
          int v = ss >> PRECISION_BITS;
          dst[(y * ow + x) * 3 + c] = (byte) Math.max(0, Math.min(255, v));
        }
      }
    }
    return dst;
  }

  /**
   * {@code image.resize((width, height), Image.NEAREST)}: output pixel (x, y) takes source pixel
   * (⌊(x + ½)·w/width⌋, ⌊(y + ½)·h/height⌋).
   *
   * @throws IllegalArgumentException for a non-positive size
   */
  public static RgbImage nearest(RgbImage image, int width, int height) {
    requireSize(image, width, height);
    int w = image.width();
    int h = image.height();
    byte[] src = image.rgb();
    byte[] dst = new byte[width * height * 3];
    double sx = (double) w / width;
    double sy = (double) h / height;
    for (int y = 0; y < height; y++) {
      int yi = Math.min((int) ((y + 0.5) * sy), h - 1);
      for (int x = 0; x < width; x++) {
        int xi = Math.min((int) ((x + 0.5) * sx), w - 1);
        System.arraycopy(src, (yi * w + xi) * 3, dst, (y * width + x) * 3, 3);
      }
    }
    return new RgbImage(width, height, dst);
  }

  private static void requireSize(RgbImage image, int width, int height) {
    Objects.requireNonNull(image, "image");
    if (width < 1 || height < 1) {
      throw new IllegalArgumentException("output size must be positive, got " + width + "x" + height);
    }
  }
}
