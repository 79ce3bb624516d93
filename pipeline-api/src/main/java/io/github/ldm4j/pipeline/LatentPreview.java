package io.github.ldm4j.pipeline;

import io.github.ldm4j.image.RgbImage;
import io.github.ldm4j.model.FirstStage;
import io.github.ldm4j.random.RandomSource;
import io.github.ldm4j.tensor.Tensor;
import java.util.Objects;

/**
 * A cheap preview of a latent: one RGB pixel per latent pixel through a linear map latent → RGB
 * (plus bias). The map is fitted to the model's own decoder by least squares: a few random latents
 * are decoded once and each decoded 8×8 patch is averaged, so the preview needs no hand-made
 * factors and follows whatever VAE the model has. For a decoder that is itself linear per patch the
 * preview is the exact patch mean.
 */
public final class LatentPreview {

  private final int channels;
  private final double[][] weights; // [3][channels + 1], last column is the bias

  private LatentPreview(int channels, double[][] weights) {
    this.channels = channels;
    this.weights = weights;
  }

  /**
   * Fits the map to {@code firstStage} with one decode of a {@code [1, C, 8, 8]} latent drawn from
   * {@code rng} (values scaled like real latents: unscaled = N(0,1) / scaleFactor).
   */
  public static LatentPreview fit(FirstStage firstStage, RandomSource rng) {
    Objects.requireNonNull(firstStage, "firstStage");
    int c = firstStage.latentChannels();
    int side = 8;
    Tensor z = rng.randn(1, c, side, side).scale(1 / firstStage.scaleFactor());
    Tensor img = firstStage.decode(z);
    int f = firstStage.downsamplingFactor();
    int n = side * side;
    int p = c + 1;
    // Normal equations A^T A w = A^T y for each colour channel; A rows = [scaled latent, 1].
    double[][] ata = new double[p][p];
    double[][] aty = new double[3][p];
    double scale = firstStage.scaleFactor();
    for (int i = 0; i < n; i++) {
      int y = i / side;
      int x = i % side;
      double[] a = new double[p];
      for (int k = 0; k < c; k++) {
        a[k] = z.get(k * n + i) * scale;
      }
      a[c] = 1;
      for (int r = 0; r < p; r++) {
        for (int s = 0; s < p; s++) {
          ata[r][s] += a[r] * a[s];
        }
      }
      for (int ch = 0; ch < 3; ch++) {
        double mean = 0;
        for (int dy = 0; dy < f; dy++) {
          for (int dx = 0; dx < f; dx++) {
            mean += img.get((ch * side * f + y * f + dy) * side * f + x * f + dx);
          }
        }
        mean /= f * f;
        for (int r = 0; r < p; r++) {
          aty[ch][r] += a[r] * mean;
        }
      }
    }
    double[][] w = new double[3][];
    for (int ch = 0; ch < 3; ch++) {
      w[ch] = solve(ata, aty[ch]);
    }
    return new LatentPreview(c, w);
  }

  /** Previews batch item {@code index} of a <em>scaled</em> latent {@code [B, C, h, w]}. */
  public RgbImage render(Tensor latent, int index) {
    if (latent.rank() != 4 || latent.dim(1) != channels) {
      throw new IllegalArgumentException("latent must be [B, " + channels + ", h, w], got " + latent.shape());
    }
    int h = latent.dim(2);
    int w = latent.dim(3);
    int n = h * w;
    Tensor one = latent.batch(index);
    Tensor rgb = Tensor.zeros(1, 3, h, w);
    for (int i = 0; i < n; i++) {
      for (int ch = 0; ch < 3; ch++) {
        double v = weights[ch][channels];
        for (int k = 0; k < channels; k++) {
          v += weights[ch][k] * one.get(k * n + i);
        }
        rgb.set(ch * n + i, (float) v);
      }
    }
    return RgbImage.fromTensor(rgb, 0, io.github.ldm4j.image.Quantization.ROUND);
  }

  /** Gaussian elimination with partial pivoting and a tiny ridge for rank-deficient fits. */
  private static double[] solve(double[][] a0, double[] b0) {
    int p = b0.length;
    double[][] a = new double[p][];
    double[] b = b0.clone();
    for (int i = 0; i < p; i++) {
      a[i] = a0[i].clone();
      a[i][i] += 1e-9;
    }
    for (int col = 0; col < p; col++) {
      int piv = col;
      for (int r = col + 1; r < p; r++) {
        if (Math.abs(a[r][col]) > Math.abs(a[piv][col])) {
          piv = r;
        }
      }
      double[] tr = a[col];
      a[col] = a[piv];
      a[piv] = tr;
      double tb = b[col];
      b[col] = b[piv];
      b[piv] = tb;
      for (int r = col + 1; r < p; r++) {
        double m = a[r][col] / a[col][col];
        for (int s = col; s < p; s++) {
          a[r][s] -= m * a[col][s];
        }
        b[r] -= m * b[col];
      }
    }
    double[] x = new double[p];
    for (int r = p - 1; r >= 0; r--) {
      double s = b[r];
      for (int k = r + 1; k < p; k++) {
        s -= a[r][k] * x[k];
      }
      x[r] = s / a[r][r];
    }
    return x;
  }
}
