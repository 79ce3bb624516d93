package io.github.ldm4j.samplers.internal;

import io.github.ldm4j.tensor.Tensor;

/**
 * Fused element-wise linear combinations for sampler updates: every term is accumulated in double
 * per element and rounded to float once, in one pass and one allocation.
 */
public final class Ops {

  private Ops() {}

  /** {@code a·x + b·y}. */
  public static Tensor lincomb(double a, Tensor x, double b, Tensor y) {
    return Tensor.lincomb(a, x, b, y);
  }

  /** {@code a·x + b·y + c·z}. */
  public static Tensor lincomb(double a, Tensor x, double b, Tensor y, double c, Tensor z) {
    return Tensor.lincomb(a, x, b, y, c, z);
  }

  /** {@code a·x + b·y + c·z + d·w}. */
  public static Tensor lincomb(double a, Tensor x, double b, Tensor y, double c, Tensor z, double d, Tensor w) {
    x.requireSameShape("lincomb", y);
    x.requireSameShape("lincomb", z);
    x.requireSameShape("lincomb", w);
    Tensor out = Tensor.zeros(x.shape());
    int n = x.size();
    for (int i = 0; i < n; i++) {
      out.set(i, (float) (a * x.get(i) + b * y.get(i) + c * z.get(i) + d * w.get(i)));
    }
    return out;
  }

  /** {@code Σ coefficients[k]·terms[k]} for any number of terms (at least one). */
  public static Tensor lincomb(double[] coefficients, Tensor[] terms) {
    if (coefficients.length != terms.length || terms.length == 0) {
      throw new IllegalArgumentException(
          "lincomb needs as many coefficients as terms (at least one), got " + coefficients.length + " and " + terms.length);
    }
    return switch (terms.length) {
      case 1 -> terms[0].scale(coefficients[0]);
      case 2 -> lincomb(coefficients[0], terms[0], coefficients[1], terms[1]);
      case 3 -> lincomb(coefficients[0], terms[0], coefficients[1], terms[1], coefficients[2], terms[2]);
      case 4 -> lincomb(coefficients[0], terms[0], coefficients[1], terms[1], coefficients[2], terms[2],
          coefficients[3], terms[3]);
      default -> general(coefficients, terms);
    };
  }

  private static Tensor general(double[] c, Tensor[] t) {
    for (int k = 1; k < t.length; k++) {
      t[0].requireSameShape("lincomb", t[k]);
    }
    int n = t[0].size();
    Tensor out = Tensor.zeros(t[0].shape());
    for (int i = 0; i < n; i++) {
      double s = 0;
      for (int k = 0; k < t.length; k++) {
        s += c[k] * t[k].get(i);
      }
      out.set(i, (float) s);
    }
    return out;
  }
}
