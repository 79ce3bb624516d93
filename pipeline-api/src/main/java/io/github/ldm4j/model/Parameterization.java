package io.github.ldm4j.model;

import io.github.ldm4j.tensor.Tensor;
import java.util.Locale;

/**
 * What a denoiser's output means (CompVis {@code parameterization}; diffusers {@code
 * prediction_type}): the noise ε ({@code eps}), the clean sample x<sub>0</sub> ({@code x0}), or
 * the velocity v = √ᾱ·ε − √(1−ᾱ)·x<sub>0</sub> ({@code v}, SD 2.x).
 *
 * <p>With x<sub>t</sub> = √ᾱ·x<sub>0</sub> + √(1−ᾱ)·ε, each prediction converts exactly into the
 * others given x<sub>t</sub> and ᾱ. Conversions are computed in double per element and rounded to
 * float once.
 */
public enum Parameterization {
  /** The model predicts the noise ε. */
  EPS("eps"),
  /** The model predicts the clean sample x<sub>0</sub>. */
  X0("x0"),
  /** The model predicts v = √ᾱ·ε − √(1−ᾱ)·x<sub>0</sub>. */
  V("v");

  private final String compvisName;

  Parameterization(String compvisName) {
    this.compvisName = compvisName;
  }

  /** The CompVis name: {@code eps}, {@code x0} or {@code v}. */
  public String compvisName() {
    return compvisName;
  }

  /**
   * Parses CompVis names ({@code eps}, {@code x0}, {@code v}) and diffusers {@code prediction_type}
   * values ({@code epsilon}, {@code sample}, {@code v_prediction}).
   */
  public static Parameterization fromName(String name) {
    String n = name == null ? "" : name.trim().toLowerCase(Locale.ROOT);
    return switch (n) {
      case "eps", "epsilon" -> EPS;
      case "x0", "sample" -> X0;
      case "v", "v_prediction" -> V;
      default -> throw new IllegalArgumentException(
          "unknown parameterization '" + name + "'; expected one of eps (epsilon), x0 (sample), v (v_prediction)");
    };
  }

  /** ε implied by the model output at x<sub>t</sub> with cumulative alpha {@code alphaBar}. */
  public Tensor toEps(Tensor output, Tensor xt, double alphaBar) {
    checkAlphaBar(alphaBar);
    double sa = Math.sqrt(alphaBar);
    double s1 = Math.sqrt(1 - alphaBar);
    return switch (this) {
      case EPS -> output;
      case X0 -> Tensor.lincomb(1 / s1, xt, -sa / s1, output);
      case V -> Tensor.lincomb(s1, xt, sa, output);
    };
  }

  /** x<sub>0</sub> implied by the model output at x<sub>t</sub> with cumulative alpha {@code alphaBar}. */
  public Tensor toX0(Tensor output, Tensor xt, double alphaBar) {
    checkAlphaBar(alphaBar);
    double sa = Math.sqrt(alphaBar);
    double s1 = Math.sqrt(1 - alphaBar);
    return switch (this) {
      case EPS -> Tensor.lincomb(1 / sa, xt, -s1 / sa, output);
      case X0 -> output;
      case V -> Tensor.lincomb(sa, xt, -s1, output);
    };
  }

  /**
   * The output a perfect model of this parameterization gives for clean sample {@code x0} noised
   * with {@code eps} at cumulative alpha {@code alphaBar}: the training target of {@code p_losses}.
   */
  public Tensor target(Tensor x0, Tensor eps, double alphaBar) {
    checkAlphaBar(alphaBar);
    return switch (this) {
      case EPS -> eps;
      case X0 -> x0;
      case V -> Tensor.lincomb(Math.sqrt(alphaBar), eps, -Math.sqrt(1 - alphaBar), x0);
    };
  }

  /** {@link #toEps} with one ᾱ per batch item. */
  public Tensor toEps(Tensor output, Tensor xt, double[] alphaBar) {
    return perBatch(output, xt, alphaBar, true);
  }

  /** {@link #toX0} with one ᾱ per batch item. */
  public Tensor toX0(Tensor output, Tensor xt, double[] alphaBar) {
    return perBatch(output, xt, alphaBar, false);
  }

  /** {@link #target} with one ᾱ per batch item. */
  public Tensor target(Tensor x0, Tensor eps, double[] alphaBar) {
    int n = alphaBar.length;
    double[] a = new double[n];
    double[] b = new double[n];
    for (int i = 0; i < n; i++) {
      checkAlphaBar(alphaBar[i]);
      switch (this) {
        case EPS -> b[i] = 1;
        case X0 -> a[i] = 1;
        case V -> {
          a[i] = -Math.sqrt(1 - alphaBar[i]);
          b[i] = Math.sqrt(alphaBar[i]);
        }
      }
    }
    return Tensor.lincombPerBatch(a, x0, b, eps);
  }

  private Tensor perBatch(Tensor output, Tensor xt, double[] alphaBar, boolean wantEps) {
    int n = alphaBar.length;
    double[] cx = new double[n];
    double[] co = new double[n];
    for (int i = 0; i < n; i++) {
      double ab = alphaBar[i];
      checkAlphaBar(ab);
      double sa = Math.sqrt(ab);
      double s1 = Math.sqrt(1 - ab);
      switch (this) {
        case EPS -> {
          cx[i] = wantEps ? 0 : 1 / sa;
          co[i] = wantEps ? 1 : -s1 / sa;
        }
        case X0 -> {
          cx[i] = wantEps ? 1 / s1 : 0;
          co[i] = wantEps ? -sa / s1 : 1;
        }
        case V -> {
          cx[i] = wantEps ? s1 : sa;
          co[i] = wantEps ? sa : -s1;
        }
      }
    }
    return Tensor.lincombPerBatch(cx, xt, co, output);
  }

  private static void checkAlphaBar(double alphaBar) {
    if (!(alphaBar > 0 && alphaBar < 1)) {
      throw new IllegalArgumentException("cumulative alpha must be in (0, 1), got " + alphaBar);
    }
  }
}
