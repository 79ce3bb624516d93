package io.github.ldm4j.testsupport;

import io.github.ldm4j.model.Parameterization;
import io.github.ldm4j.sampler.ModelFunction;
import io.github.ldm4j.schedule.DiffusionSchedule;
import io.github.ldm4j.tensor.Tensor;

/**
 * The exact denoiser of a point-mass data distribution x<sub>0</sub> = x*: from x<sub>t</sub> =
 * √ᾱ·x* + √(1 − ᾱ)·ε the noise is ε = (x<sub>t</sub> − √ᾱ·x*)/√(1 − ᾱ), the clean sample is x*,
 * and v = √ᾱ·ε − √(1 − ᾱ)·x*. Computed in double per element, rounded once.
 */
public final class PointMass {

  private PointMass() {}

  /** The exact output of a {@code p} model for one batch item range at cumulative alpha {@code ab}. */
  public static void exactInto(
      Parameterization p, Tensor xt, Tensor xStar, double ab, Tensor out, int from, int to) {
    double sa = Math.sqrt(ab);
    double s1 = Math.sqrt(1 - ab);
    for (int i = from; i < to; i++) {
      double x0 = xStar.get(i);
      double eps = (xt.get(i) - sa * x0) / s1;
      double v = switch (p) {
        case EPS -> eps;
        case X0 -> x0;
        case V -> sa * eps - s1 * x0;
      };
      out.set(i, (float) v);
    }
  }

  /** The exact output for the whole batch at cumulative alpha {@code ab}. */
  public static Tensor exact(Parameterization p, Tensor xt, Tensor xStar, double ab) {
    xt.requireSameShape("x*", xStar);
    Tensor out = Tensor.zeros(xt.shape());
    exactInto(p, xt, xStar, ab, out, 0, xt.size());
    return out;
  }

  /** The exact model as a sampler's {@link ModelFunction} (fractional t through log-σ interpolation). */
  public static ModelFunction model(DiffusionSchedule schedule, Parameterization p, Tensor xStar) {
    return (x, t) -> exact(p, x, xStar, schedule.alphaBarAt(t));
  }
}
