package io.github.ldm4j.demo;

import io.github.ldm4j.schedule.DiffusionSchedule;

/** Test reference: the oracle's formulas in double precision, straight from the specification. */
final class ReferenceOracle {

  static final DiffusionSchedule SCHEDULE = DiffusionSchedule.stableDiffusionV1();

  private final ShapesDataset data;
  private final double beta;
  private final double[][] y;

  ReferenceOracle(ShapesDataset data, double beta) {
    this(data, beta, data.scalingFactor());
  }

  /** The oracle of {@code data}'s images scaled by {@code scalingFactor} (an any-size model drawn at another size). */
  ReferenceOracle(ShapesDataset data, double beta, double scalingFactor) {
    this.data = data;
    this.beta = beta;
    y = new double[16][];
    for (int k = 0; k < 16; k++) {
      y[k] = data.rawLatent(k);
      for (int i = 0; i < y[k].length; i++) {
        y[k][i] *= scalingFactor;
      }
    }
  }

  /** ᾱ at t: table for integer t, log-σ interpolation otherwise. */
  static double alphaBar(double t) {
    return t == Math.rint(t) ? SCHEDULE.alphaBar((int) t) : SCHEDULE.alphaBarAt(t);
  }

  /** Posterior weights w_k for one sample x_t [4·l·l], presence p [8], optional inpainting (mask [l·l], c [4·l·l]). */
  double[] weights(float[] xt, int off, double t, double[] p, float[] mask, float[] c, int extraOff) {
    double ab = alphaBar(t);
    double sa = Math.sqrt(ab);
    int dim = y[0].length;
    int per = dim / 4;
    double[] logits = new double[16];
    for (int k = 0; k < 16; k++) {
      double d = 0;
      for (int i = 0; i < dim; i++) {
        double e = xt[off + i] - sa * y[k][i];
        d += e * e;
      }
      double prior = 0;
      double[] a = ShapesDataset.attributes(k);
      for (int j = 0; j < 8; j++) {
        prior -= beta * p[j] * (1 - a[j]);
      }
      double evidence = 0;
      if (mask != null) {
        for (int i = 0; i < dim; i++) {
          if (mask[extraOff / 5 + i % per] <= 0) {
            double e = c[extraOff * 4 / 5 + i] - y[k][i];
            evidence += e * e;
          }
        }
      }
      logits[k] = prior - d / (2 * (1 - ab)) - evidence;
    }
    double max = Double.NEGATIVE_INFINITY;
    for (double v : logits) {
      max = Math.max(max, v);
    }
    double sum = 0;
    double[] w = new double[16];
    for (int k = 0; k < 16; k++) {
      w[k] = Math.exp(logits[k] - max);
      sum += w[k];
    }
    for (int k = 0; k < 16; k++) {
      w[k] /= sum;
    }
    return w;
  }

  /** ε for one sample. */
  double[] eps(float[] xt, int off, double t, double[] w) {
    double ab = alphaBar(t);
    int dim = y[0].length;
    double[] out = new double[dim];
    for (int i = 0; i < dim; i++) {
      double x0 = 0;
      for (int k = 0; k < 16; k++) {
        x0 += w[k] * y[k][i];
      }
      out[i] = (xt[off + i] - Math.sqrt(ab) * x0) / Math.sqrt(1 - ab);
    }
    return out;
  }

  ShapesDataset data() {
    return data;
  }
}
