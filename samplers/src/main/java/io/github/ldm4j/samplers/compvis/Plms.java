package io.github.ldm4j.samplers.compvis;

import io.github.ldm4j.sampler.SamplerOptions;
import io.github.ldm4j.samplers.internal.Knob;
import io.github.ldm4j.samplers.internal.NamedSamplerProvider;
import io.github.ldm4j.samplers.internal.TimestepRun;
import io.github.ldm4j.samplers.internal.TimestepSampler;
import io.github.ldm4j.tensor.Tensor;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Iterator;

/**
 * {@code plms}: CompVis {@code PLMSSampler} (pseudo linear multistep, Liu et al. 2022): the ε used
 * for a deterministic DDIM transfer step is extrapolated from the ε of previous steps with
 * Adams–Bashforth weights. The first step is a pseudo improved Euler step (a second model call at
 * the next timestep with the DDIM-stepped latent, ε' = (ε + ε<sub>next</sub>)/2); then orders 2, 3
 * and 4:
 *
 * <pre>
 *   ε' = (3ε − ε₋₁)/2,  (23ε − 16ε₋₁ + 5ε₋₂)/12,  (55ε − 59ε₋₁ + 37ε₋₂ − 9ε₋₃)/24
 * </pre>
 *
 * The history holds the raw ε of each step (not ε'), as CompVis. Steps end at ᾱ[0] like {@link
 * Ddim}. η must be 0 ("ddim_eta must be 0 for PLMS"). One model call per step, two on the first.
 */
public final class Plms extends TimestepSampler {

  /** The registered name. */
  public static final String NAME = "plms";

  /** Adams–Bashforth weights for orders 1..4, newest ε first, before division by {@link #AB_DIVISOR}. */
  static final double[][] AB_WEIGHTS = {{1}, {3, -1}, {23, -16, 5}, {55, -59, 37, -9}};

  /** The common divisors of {@link #AB_WEIGHTS}. */
  static final double[] AB_DIVISOR = {1, 2, 12, 24};

  /** A PLMS sampler; η, if given, must be 0. */
  public Plms(SamplerOptions options) {
    super(NAME);
    Knob.requireOnly(NAME, options, Knob.ETA);
    if (options.eta().orElse(0) != 0) {
      throw new IllegalArgumentException("sampler 'plms' needs eta = 0 (CompVis: ddim_eta must be 0 for PLMS), got "
          + options.eta().getAsDouble());
    }
  }

  /** Adams–Bashforth weight {@code j} (0 = newest ε) of order {@code order} (1..4). */
  public static double weight(int order, int j) {
    return AB_WEIGHTS[order - 1][j] / AB_DIVISOR[order - 1];
  }

  @Override
  protected Tensor run(TimestepRun r, Tensor x) {
    int n = r.steps();
    Deque<Tensor> oldEps = new ArrayDeque<>();
    for (int i = 0; i < n; i++) {
      int t = r.timestep(i);
      double a = r.alphaBar(i);
      double prev = r.alphaBarNext(i);
      Tensor eps = r.eps(r.model(x, t), x, a);
      Tensor epsPrime;
      if (oldEps.isEmpty()) {
        // Pseudo improved Euler: DDIM step with ε, re-evaluate at the next timestep, average.
        Tensor xNext = transfer(x, eps, a, prev);
        int tNext = r.timestep(Math.min(i + 1, n - 1));
        double aNext = r.schedule().alphaBar(tNext);
        Tensor epsNext = r.eps(r.model(xNext, tNext), xNext, aNext);
        epsPrime = Tensor.lincomb(0.5, eps, 0.5, epsNext);
      } else {
        int order = Math.min(oldEps.size() + 1, 4);
        double[] c = new double[order];
        Tensor[] terms = new Tensor[order];
        c[0] = weight(order, 0);
        terms[0] = eps;
        Iterator<Tensor> it = oldEps.iterator();
        for (int j = 1; j < order; j++) {
          c[j] = weight(order, j);
          terms[j] = it.next();
        }
        epsPrime = Tensor.lincomb(c, terms);
      }
      Tensor x0 = predictX0(x, epsPrime, a);
      x = Tensor.lincomb(Math.sqrt(prev), x0, Math.sqrt(1 - prev), epsPrime);
      oldEps.addFirst(eps);
      if (oldEps.size() > 3) {
        oldEps.removeLast();
      }
      r.emit(i, x, x0);
    }
    return x;
  }

  private static Tensor predictX0(Tensor x, Tensor eps, double alphaBar) {
    return Tensor.lincomb(1 / Math.sqrt(alphaBar), x, -Math.sqrt(1 - alphaBar) / Math.sqrt(alphaBar), eps);
  }

  /** The deterministic DDIM step from ᾱ to ᾱ<sub>prev</sub> with noise estimate ε. */
  private static Tensor transfer(Tensor x, Tensor eps, double alphaBar, double alphaBarPrev) {
    double ra = Math.sqrt(alphaBarPrev / alphaBar);
    return Tensor.lincomb(ra, x, Math.sqrt(1 - alphaBarPrev) - ra * Math.sqrt(1 - alphaBar), eps);
  }

  /** Registers {@value #NAME}. */
  public static final class Provider extends NamedSamplerProvider {
    /** The instance {@link java.util.ServiceLoader} creates. */
    public Provider() {
      super(NAME, Plms::new);
    }
  }
}
