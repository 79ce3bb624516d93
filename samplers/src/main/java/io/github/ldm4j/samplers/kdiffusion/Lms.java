package io.github.ldm4j.samplers.kdiffusion;

import io.github.ldm4j.sampler.SamplerOptions;
import io.github.ldm4j.samplers.internal.Knob;
import io.github.ldm4j.samplers.internal.NamedSamplerProvider;
import io.github.ldm4j.samplers.internal.SigmaRun;
import io.github.ldm4j.samplers.internal.SigmaSampler;
import io.github.ldm4j.tensor.Tensor;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Iterator;

/**
 * {@code lms}: k-diffusion {@code sample_lms}, the linear multistep method on the σ grid: the
 * derivatives d = (x − D)/σ of the last {@code order} steps (default 4; fewer while warming up)
 * are interpolated by a Lagrange polynomial in σ and integrated over [σ<sub>i</sub>,
 * σ<sub>i+1</sub>]. k-diffusion integrates numerically ({@code scipy.integrate.quad}); here the
 * polynomial is integrated exactly, which agrees to rounding. One model call per step.
 */
public final class Lms extends SigmaSampler {

  /** The registered name. */
  public static final String NAME = "lms";

  /** k-diffusion's default order. */
  public static final int DEFAULT_ORDER = 4;

  /** Largest supported order. */
  public static final int MAX_ORDER = 6;

  private final int order;

  /** An LMS sampler; takes the order (1..{@value #MAX_ORDER}, default {@value #DEFAULT_ORDER}). */
  public Lms(SamplerOptions options) {
    super(NAME);
    Knob.requireOnly(NAME, options, Knob.ORDER);
    this.order = Knob.order(NAME, options, 1, MAX_ORDER, DEFAULT_ORDER);
  }

  @Override
  protected Tensor run(SigmaRun r, Tensor x) {
    double[] sigmas = r.sigmas();
    Deque<Tensor> ds = new ArrayDeque<>();
    for (int i = 0; i < r.steps(); i++) {
      double s = sigmas[i];
      Tensor denoised = r.denoise(x, s);
      ds.addFirst(Tensor.lincomb(1 / s, x, -1 / s, denoised));
      if (ds.size() > order) {
        ds.removeLast();
      }
      int cur = Math.min(i + 1, order);
      double[] c = new double[cur + 1];
      Tensor[] terms = new Tensor[cur + 1];
      c[0] = 1;
      terms[0] = x;
      Iterator<Tensor> it = ds.iterator();
      for (int j = 0; j < cur; j++) {
        c[j + 1] = coefficient(cur, sigmas, i, j);
        terms[j + 1] = it.next();
      }
      x = Tensor.lincomb(c, terms);
      r.emit(i, s, x, denoised);
    }
    return x;
  }

  /**
   * k-diffusion {@code linear_multistep_coeff(order, t, i, j)}: ∫ over [t<sub>i</sub>,
   * t<sub>i+1</sub>] of the Lagrange basis polynomial that is 1 at t<sub>i−j</sub> and 0 at the
   * other nodes t<sub>i−k</sub>, k &lt; order. Integrated exactly in the shifted variable u = τ −
   * t<sub>i</sub>.
   */
  public static double coefficient(int order, double[] t, int i, int j) {
    if (order - 1 > i) {
      throw new IllegalArgumentException("order " + order + " too high for step " + i);
    }
    if (j < 0 || j >= order) {
      throw new IllegalArgumentException("j must be in [0, " + order + "), got " + j);
    }
    double origin = t[i];
    double[] poly = {1};
    for (int k = 0; k < order; k++) {
      if (k == j) {
        continue;
      }
      double node = t[i - k] - origin;
      double denom = t[i - j] - t[i - k];
      double[] next = new double[poly.length + 1];
      for (int m = 0; m < poly.length; m++) {
        next[m + 1] += poly[m] / denom;
        next[m] -= poly[m] * node / denom;
      }
      poly = next;
    }
    double h = t[i + 1] - origin;
    double integral = 0;
    double hp = h;
    for (int m = 0; m < poly.length; m++) {
      integral += poly[m] * hp / (m + 1);
      hp *= h;
    }
    return integral;
  }

  /** Registers {@value #NAME}. */
  public static final class Provider extends NamedSamplerProvider {
    /** The instance {@link java.util.ServiceLoader} creates. */
    public Provider() {
      super(NAME, Lms::new);
    }
  }
}
