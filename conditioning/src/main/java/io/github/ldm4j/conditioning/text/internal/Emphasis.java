package io.github.ldm4j.conditioning.text.internal;

import io.github.ldm4j.conditioning.text.EmphasisNormalization;
import io.github.ldm4j.tensor.Tensor;

/**
 * A1111's "Original" emphasis on one encoded chunk {@code z} ({@code [R, L, d]}): every token's
 * hidden state times its weight, then each group of rows scaled back to its original mean: z ←
 * z·w · mean(z) / mean(z·w). Products and means in double, each element rounded to float once.
 * Groups whose weights are all 1 are left exactly as they are.
 */
public final class Emphasis {

  private Emphasis() {}

  /**
   * Applies the weights in place.
   *
   * @param z {@code [R, L, d]}
   * @param weights {@code [R][L]}
   * @param groupRows rows renormalised together (1 per prompt; the batch size per batch)
   * @throws IllegalArgumentException when the weighted mean of a group is zero (cannot rescale)
   */
  public static void apply(Tensor z, double[][] weights, int groupRows, EmphasisNormalization mode) {
    int rows = z.dim(0);
    int len = z.dim(1);
    int d = z.dim(2);
    int rowSize = len * d;
    for (int g = 0; g < rows; g += groupRows) {
      int end = Math.min(rows, g + groupRows);
      if (allOnes(weights, g, end)) {
        continue;
      }
      double ratio = 1.0;
      if (mode != EmphasisNormalization.NONE) {
        double original = 0;
        double weighted = 0;
        for (int r = g; r < end; r++) {
          for (int t = 0; t < len; t++) {
            double w = weights[r][t];
            int base = r * rowSize + t * d;
            for (int j = 0; j < d; j++) {
              double v = z.get(base + j);
              original += v;
              weighted += v * w;
            }
          }
        }
        if (weighted == 0) {
          throw new IllegalArgumentException(
              "the prompt weights make the mean of the weighted hidden states zero; cannot rescale it to the"
                  + " original mean (use other weights or EmphasisNormalization.NONE)");
        }
        ratio = original / weighted;
      }
      for (int r = g; r < end; r++) {
        for (int t = 0; t < len; t++) {
          double f = weights[r][t] * ratio;
          int base = r * rowSize + t * d;
          for (int j = 0; j < d; j++) {
            z.set(base + j, (float) (z.get(base + j) * f));
          }
        }
      }
    }
  }

  private static boolean allOnes(double[][] weights, int from, int to) {
    for (int r = from; r < to; r++) {
      for (double w : weights[r]) {
        if (w != 1.0) {
          return false;
        }
      }
    }
    return true;
  }
}
