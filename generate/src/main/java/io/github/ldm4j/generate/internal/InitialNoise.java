package io.github.ldm4j.generate.internal;

import io.github.ldm4j.generate.GenerationSettings;
import io.github.ldm4j.generate.SeedResize;
import io.github.ldm4j.generate.Variation;
import io.github.ldm4j.random.RandomSource;
import io.github.ldm4j.tensor.Shape;
import io.github.ldm4j.tensor.Tensor;
import java.util.Optional;

/**
 * The initial latent noise of a generation as AUTOMATIC1111's {@code ImageRNG.first} makes it
 * (modules/rng.py): each image's seed noise, drawn from its per-image generator; with a {@link
 * Variation}, spherically interpolated toward the noise of its subseed (drawn from a fresh generator
 * of that seed); with a {@link SeedResize}, the (interpolated) noise of the seed drawn at the resize
 * size from a fresh generator and pasted, centred, into the per-image generator's noise of the real
 * size. The per-image generators continue after their first full-size draw either way, as A1111's.
 */
public final class InitialNoise {

  private InitialNoise() {}

  /**
   * The noise of shape {@code [B, C, H, W]}.
   *
   * @param perImage one generator per image (seeded with {@link GenerationSettings#imageSeed})
   * @param shape the latent shape
   * @param s the settings: seeds, RNG kind, variation and seed resize
   * @param factor the VAE's downsampling factor (pixels per latent cell, 8 for SD)
   */
  public static Tensor first(RandomSource perImage, Shape shape, GenerationSettings s, int factor) {
    Tensor noise = perImage.randn(shape);
    Optional<Variation> variation = s.variation();
    Optional<SeedResize> resize = s.seedResize();
    if (variation.isEmpty() && resize.isEmpty()) {
      return noise;
    }
    int c = shape.dim(1);
    int h = shape.dim(2);
    int w = shape.dim(3);
    int rh = resize.map(r -> r.height() / factor).orElse(h);
    int rw = resize.map(r -> r.width() / factor).orElse(w);
    boolean resized = rh != h || rw != w;
    Shape one = Shape.of(1, c, rh, rw);
    for (int i = 0; i < shape.dim(0); i++) {
      Tensor item = noise.batch(i);
      float[] base = resized ? s.rng().create(s.imageSeed(i)).randn(one).toArray() : item.toArray();
      if (variation.isPresent()) {
        float[] sub = s.rng().create(s.imageSubseed(i).orElseThrow()).randn(one).toArray();
        base = slerp(variation.get().strength(), base, sub, c, rh, rw);
      }
      if (resized) {
        paste(base, rh, rw, item, c, h, w);
      } else {
        item.copyFrom(Tensor.of(base, 1, c, h, w));
      }
    }
    return noise;
  }

  /**
   * A1111's {@code slerp(val, low, high)} of two {@code [C, H, W]} tensors: the angle is taken per
   * (channel, column) over the rows (the norms along dim 1); when the mean cosine exceeds 0.9995 it
   * falls back to {@code low·val + high·(1 − val)}, as A1111 writes it. Computed in double, rounded to
   * float; a cosine rounded past ±1 is clamped (torch would give NaN there).
   */
  public static float[] slerp(double val, float[] low, float[] high, int c, int h, int w) {
    double[] dot = new double[c * w];
    double mean = 0;
    for (int ch = 0; ch < c; ch++) {
      for (int x = 0; x < w; x++) {
        double nl = 0;
        double nh = 0;
        for (int y = 0; y < h; y++) {
          int k = (ch * h + y) * w + x;
          nl += (double) low[k] * low[k];
          nh += (double) high[k] * high[k];
        }
        nl = Math.sqrt(nl);
        nh = Math.sqrt(nh);
        double d = 0;
        for (int y = 0; y < h; y++) {
          int k = (ch * h + y) * w + x;
          d += (low[k] / nl) * (high[k] / nh);
        }
        dot[ch * w + x] = d;
        mean += d;
      }
    }
    mean /= dot.length;
    float[] out = new float[low.length];
    if (mean > 0.9995) {
      for (int k = 0; k < out.length; k++) {
        out[k] = (float) (low[k] * val + high[k] * (1 - val));
      }
      return out;
    }
    for (int ch = 0; ch < c; ch++) {
      for (int x = 0; x < w; x++) {
        double omega = Math.acos(Math.max(-1, Math.min(1, dot[ch * w + x])));
        double so = Math.sin(omega);
        double a = Math.sin((1.0 - val) * omega) / so;
        double b = Math.sin(val * omega) / so;
        for (int y = 0; y < h; y++) {
          int k = (ch * h + y) * w + x;
          out[k] = (float) (a * low[k] + b * high[k]);
        }
      }
    }
    return out;
  }

  /** Pastes {@code src} ({@code [C, sh, sw]}) centred into {@code item} ({@code [1, C, h, w]}), cropping its overhang. */
  private static void paste(float[] src, int sh, int sw, Tensor item, int c, int h, int w) {
    // Python's floor division: (w - sw) // 2 rounds toward −∞
    int dx = Math.floorDiv(w - sw, 2);
    int dy = Math.floorDiv(h - sh, 2);
    int cw = dx >= 0 ? sw : sw + 2 * dx;
    int chh = dy >= 0 ? sh : sh + 2 * dy;
    int tx = Math.max(dx, 0);
    int ty = Math.max(dy, 0);
    int sx = Math.max(-dx, 0);
    int sy = Math.max(-dy, 0);
    for (int ch = 0; ch < c; ch++) {
      for (int y = 0; y < chh; y++) {
        for (int x = 0; x < cw; x++) {
          item.set((ch * h + ty + y) * w + tx + x, src[(ch * sh + sy + y) * sw + sx + x]);
        }
      }
    }
  }
}
