package io.github.ldm4j.schedule;

import java.util.Arrays;
import java.util.Locale;

/**
 * How the variances β<sub>t</sub> of the forward process are laid out over the T training
 * timesteps: CompVis {@code make_beta_schedule}, computed in double precision.
 *
 * <p>CompVis names are canonical. diffusers names map onto them with {@link #fromDiffusers}:
 * diffusers {@code scaled_linear} is CompVis {@code linear}, diffusers {@code linear} is CompVis
 * {@code sqrt_linear}, {@code squaredcos_cap_v2} is {@code cosine}.
 */
public sealed interface BetaSchedule {

  /** The betas for {@code timesteps} training steps. */
  double[] betas(int timesteps);

  /** The CompVis name ({@code linear}, {@code cosine}, {@code sqrt_linear}, {@code sqrt}, {@code given}). */
  String compvisName();

  /** The SD v1 schedule: {@code linear} from 0.00085 to 0.012. */
  static BetaSchedule stableDiffusionV1() {
    return new Linear(0.00085, 0.012);
  }

  /**
   * CompVis {@code linear}: betas = linspace(√start, √end, T)². (diffusers {@code scaled_linear}.)
   *
   * @param start linear_start
   * @param end linear_end
   */
  record Linear(double start, double end) implements BetaSchedule {
    /** Validates the range. */
    public Linear {
      requireRange("linear", start, end);
    }

    @Override
    public double[] betas(int timesteps) {
      double[] s = linspace(Math.sqrt(start), Math.sqrt(end), timesteps);
      for (int i = 0; i < s.length; i++) {
        s[i] = s[i] * s[i];
      }
      return s;
    }

    @Override
    public String compvisName() {
      return "linear";
    }
  }

  /**
   * CompVis {@code cosine} (Nichol &amp; Dhariwal), with offset {@code s} (CompVis default 8e-3):
   * ᾱ from f(t) = cos(((t/T + s)/(1 + s))·π/2)², betas = clip(1 − ᾱ[t+1]/ᾱ[t], 0, 0.999).
   *
   * @param s the small offset cosine_s
   */
  record Cosine(double s) implements BetaSchedule {
    /** CompVis default offset. */
    public static final double DEFAULT_S = 8e-3;

    /** Validates the offset. */
    public Cosine {
      if (!(s >= 0) || !Double.isFinite(s)) {
        throw new IllegalArgumentException("cosine schedule offset s must be finite and >= 0, got " + s);
      }
    }

    @Override
    public double[] betas(int timesteps) {
      requireTimesteps(timesteps);
      // CompVis: timesteps = arange(T + 1) / T + s; alphas = cos(timesteps / (1 + s) * pi / 2) ** 2;
      // alphas = alphas / alphas[0]; betas = 1 - alphas[1:] / alphas[:-1]; clip(0, 0.999)
      double[] f = new double[timesteps + 1];
      for (int t = 0; t <= timesteps; t++) {
        double x = ((double) t / timesteps + s) / (1 + s) * Math.PI / 2;
        double c = Math.cos(x);
        f[t] = c * c;
      }
      double[] betas = new double[timesteps];
      for (int t = 0; t < timesteps; t++) {
        double b = 1 - (f[t + 1] / f[0]) / (f[t] / f[0]);
        betas[t] = Math.min(Math.max(b, 0), 0.999);
      }
      return betas;
    }

    @Override
    public String compvisName() {
      return "cosine";
    }
  }

  /**
   * CompVis {@code sqrt_linear}: betas = linspace(start, end, T) (plain linear despite the name;
   * diffusers {@code linear}).
   *
   * @param start linear_start
   * @param end linear_end
   */
  record SqrtLinear(double start, double end) implements BetaSchedule {
    /** Validates the range. */
    public SqrtLinear {
      requireRange("sqrt_linear", start, end);
    }

    @Override
    public double[] betas(int timesteps) {
      return linspace(start, end, timesteps);
    }

    @Override
    public String compvisName() {
      return "sqrt_linear";
    }
  }

  /**
   * CompVis {@code sqrt}: betas = linspace(start, end, T)<sup>0.5</sup>.
   *
   * @param start linear_start
   * @param end linear_end
   */
  record Sqrt(double start, double end) implements BetaSchedule {
    /** Validates the range. */
    public Sqrt {
      requireRange("sqrt", start, end);
    }

    @Override
    public double[] betas(int timesteps) {
      double[] b = linspace(start, end, timesteps);
      for (int i = 0; i < b.length; i++) {
        b[i] = Math.sqrt(b[i]);
      }
      return b;
    }

    @Override
    public String compvisName() {
      return "sqrt";
    }
  }

  /**
   * Explicit betas (CompVis {@code given_betas}, diffusers {@code trained_betas}); the number of
   * training timesteps is their count.
   *
   * @param values the betas, each in (0, 1)
   */
  record Given(double[] values) implements BetaSchedule {
    /** Validates and copies the betas. */
    public Given {
      if (values == null || values.length == 0) {
        throw new IllegalArgumentException("given betas must not be empty");
      }
      values = values.clone();
      for (int i = 0; i < values.length; i++) {
        if (!(values[i] > 0 && values[i] < 1)) {
          throw new IllegalArgumentException("given beta[" + i + "] = " + values[i] + " is outside (0, 1)");
        }
      }
    }

    /** A copy of the betas. */
    @Override
    public double[] values() {
      return values.clone();
    }

    @Override
    public double[] betas(int timesteps) {
      if (timesteps != values.length) {
        throw new IllegalArgumentException(
            "given betas have " + values.length + " entries but " + timesteps + " timesteps were asked for");
      }
      return values.clone();
    }

    @Override
    public String compvisName() {
      return "given";
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Given g && Arrays.equals(values, g.values);
    }

    @Override
    public int hashCode() {
      return Arrays.hashCode(values);
    }

    @Override
    public String toString() {
      return "Given[" + values.length + " betas]";
    }
  }

  /**
   * A CompVis schedule by name ({@code linear}, {@code cosine}, {@code sqrt_linear}, {@code
   * sqrt}); {@code start}/{@code end} are {@code linear_start}/{@code linear_end} (ignored by
   * cosine, which takes {@code cosine_s} = 8e-3).
   */
  static BetaSchedule fromCompVis(String name, double start, double end) {
    String n = name == null ? "" : name.trim().toLowerCase(Locale.ROOT);
    return switch (n) {
      case "linear" -> new Linear(start, end);
      case "cosine" -> new Cosine(Cosine.DEFAULT_S);
      case "sqrt_linear" -> new SqrtLinear(start, end);
      case "sqrt" -> new Sqrt(start, end);
      default -> throw new IllegalArgumentException(
          "unknown CompVis beta schedule '" + name + "'; expected one of linear, cosine, sqrt_linear, sqrt");
    };
  }

  /**
   * A diffusers {@code beta_schedule} by name ({@code scaled_linear}, {@code linear}, {@code
   * squaredcos_cap_v2}) with {@code beta_start}/{@code beta_end}.
   */
  static BetaSchedule fromDiffusers(String name, double betaStart, double betaEnd) {
    String n = name == null ? "" : name.trim().toLowerCase(Locale.ROOT);
    return switch (n) {
      case "scaled_linear" -> new Linear(betaStart, betaEnd);
      case "linear" -> new SqrtLinear(betaStart, betaEnd);
      case "squaredcos_cap_v2" -> new Cosine(Cosine.DEFAULT_S);
      default -> throw new IllegalArgumentException(
          "unknown diffusers beta_schedule '" + name + "'; expected one of scaled_linear, linear, squaredcos_cap_v2");
    };
  }

  private static void requireRange(String what, double start, double end) {
    if (!(start > 0 && end > 0 && start < 1 && end < 1) || !Double.isFinite(start) || !Double.isFinite(end)) {
      throw new IllegalArgumentException(
          what + " schedule needs 0 < start, end < 1, got start=" + start + ", end=" + end);
    }
  }

  private static void requireTimesteps(int timesteps) {
    if (timesteps < 2) {
      throw new IllegalArgumentException("a beta schedule needs at least 2 timesteps, got " + timesteps);
    }
  }

  /**
   * {@code torch.linspace(a, b, n, dtype=float64)} as the CPU kernel computes it: the first half
   * counts up from {@code a}, the second half counts down from {@code b}, so both ends are exact
   * and the result is bit-for-bit the reference's.
   */
  private static double[] linspace(double a, double b, int n) {
    requireTimesteps(n);
    double[] out = new double[n];
    double step = (b - a) / (n - 1);
    int halfway = n / 2;
    for (int i = 0; i < n; i++) {
      out[i] = i < halfway ? a + step * i : b - step * (n - i - 1);
    }
    return out;
  }
}
