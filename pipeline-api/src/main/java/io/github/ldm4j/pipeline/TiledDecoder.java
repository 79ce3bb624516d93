package io.github.ldm4j.pipeline;

import io.github.ldm4j.model.FirstStage;
import io.github.ldm4j.tensor.Tensor;
import java.util.Objects;

/**
 * Decodes large latents in overlapping tiles and blends them, so that the VAE decoder's memory
 * stays bounded. Each tile's weight ramps linearly from its inner edges over
 * {@code overlap} pixels, and every pixel is the weight-normalised sum of the tiles covering it; the
 * last tile of a row or column is pushed back flush with the edge, so it may overlap its neighbour
 * by more than {@code overlap} (there the tiles are averaged). For a decoder whose receptive field is inside one tile the
 * result equals the whole decode.
 *
 * @param tileSize tile edge in latent pixels (image pixels = tileSize × downsampling factor)
 * @param overlap overlap between neighbouring tiles in latent pixels, &lt; tileSize
 */
public record TiledDecoder(int tileSize, int overlap) {

  /** 64-latent-pixel tiles (512 image pixels for SD) overlapping by 8 latent pixels. */
  public static final TiledDecoder DEFAULT = new TiledDecoder(64, 8);

  /** Validates. */
  public TiledDecoder {
    if (tileSize < 2) {
      throw new IllegalArgumentException("tile size must be >= 2 latent pixels, got " + tileSize);
    }
    if (overlap < 0 || overlap >= tileSize) {
      throw new IllegalArgumentException("overlap must be in [0, " + tileSize + "), got " + overlap);
    }
  }

  /** Whether a latent {@code h × w} is larger than one tile. */
  public boolean needsTiling(int h, int w) {
    return h > tileSize || w > tileSize;
  }

  /**
   * Decodes unscaled latents {@code [B, C, h, w]} tile by tile with {@code firstStage}.
   *
   * @return images {@code [B, 3, h·f, w·f]}
   */
  public Tensor decode(FirstStage firstStage, Tensor latent) {
    Objects.requireNonNull(firstStage, "firstStage");
    if (latent.rank() != 4) {
      throw new IllegalArgumentException("latent must be [B, C, h, w], got " + latent.shape());
    }
    int h = latent.dim(2);
    int w = latent.dim(3);
    if (!needsTiling(h, w)) {
      return firstStage.decode(latent);
    }
    int f = firstStage.downsamplingFactor();
    int b = latent.dim(0);
    int[] ys = starts(h);
    int[] xs = starts(w);
    int outH = h * f;
    int outW = w * f;
    double[] acc = new double[b * 3 * outH * outW];
    double[] weight = new double[outH * outW];
    for (int y0 : ys) {
      for (int x0 : xs) {
        int th = Math.min(tileSize, h - y0);
        int tw = Math.min(tileSize, w - x0);
        Tensor tile = crop(latent, y0, x0, th, tw);
        Tensor img = firstStage.decode(tile);
        if (img.dim(2) != th * f || img.dim(3) != tw * f || img.dim(1) != 3) {
          throw new IllegalStateException("decoder returned " + img.shape() + " for a tile of " + tile.shape());
        }
        for (int py = 0; py < th * f; py++) {
          double wy = ramp(py, th * f, y0 > 0, y0 + th < h, overlap * f);
          for (int px = 0; px < tw * f; px++) {
            double wgt = wy * ramp(px, tw * f, x0 > 0, x0 + tw < w, overlap * f);
            int oy = y0 * f + py;
            int ox = x0 * f + px;
            weight[oy * outW + ox] += wgt;
            for (int n = 0; n < b; n++) {
              for (int ch = 0; ch < 3; ch++) {
                acc[((n * 3 + ch) * outH + oy) * outW + ox] +=
                    wgt * img.get(((n * 3 + ch) * th * f + py) * tw * f + px);
              }
            }
          }
        }
      }
    }
    Tensor out = Tensor.zeros(b, 3, outH, outW);
    for (int n = 0; n < b; n++) {
      for (int ch = 0; ch < 3; ch++) {
        for (int i = 0; i < outH * outW; i++) {
          int k = (n * 3 + ch) * outH * outW + i;
          out.set(k, (float) (acc[k] / weight[i]));
        }
      }
    }
    return out;
  }

  /** Tile origins along an axis of {@code n} latent pixels: stride tileSize − overlap, the last flush with the end. */
  int[] starts(int n) {
    if (n <= tileSize) {
      return new int[] {0};
    }
    int stride = tileSize - overlap;
    int count = (int) Math.ceil((double) (n - tileSize) / stride) + 1;
    int[] s = new int[count];
    for (int i = 0; i < count; i++) {
      s[i] = Math.min(i * stride, n - tileSize);
    }
    return s;
  }

  /** Blend weight of position {@code p} in a tile of {@code len}: ramps up over the leading / down over the trailing overlap. */
  private static double ramp(int p, int len, boolean leading, boolean trailing, int ov) {
    double wgt = 1;
    if (ov > 0) {
      if (leading && p < ov) {
        wgt = Math.min(wgt, (p + 0.5) / ov);
      }
      if (trailing && p >= len - ov) {
        wgt = Math.min(wgt, (len - p - 0.5) / ov);
      }
    }
    return wgt;
  }

  private static Tensor crop(Tensor x, int y0, int x0, int th, int tw) {
    int b = x.dim(0);
    int c = x.dim(1);
    int h = x.dim(2);
    int w = x.dim(3);
    Tensor out = Tensor.zeros(b, c, th, tw);
    for (int n = 0; n < b * c; n++) {
      for (int y = 0; y < th; y++) {
        for (int xx = 0; xx < tw; xx++) {
          out.set((n * th + y) * tw + xx, x.get((n * h + y0 + y) * w + x0 + xx));
        }
      }
    }
    return out;
  }
}
