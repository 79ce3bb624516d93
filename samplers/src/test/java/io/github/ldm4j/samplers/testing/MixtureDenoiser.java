package io.github.ldm4j.samplers.testing;

import io.github.ldm4j.model.Parameterization;
import io.github.ldm4j.sampler.ModelFunction;
import io.github.ldm4j.schedule.DiffusionSchedule;
import io.github.ldm4j.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * The analytic network of the reference fixtures ({@code samplers/src/test/python/gen_fixtures.py},
 * {@code MixtureModel}): the exact posterior mean E[x<sub>0</sub> | x<sub>t</sub>] for per-element data from
 * the mixture 0.4·N(−0.8, 0.3²) + 0.6·N(0.6, 0.5²), at ᾱ(t) of the schedule (exact at integer t, else {@link
 * DiffusionSchedule#alphaBarAt}, k-diffusion's log-σ interpolation), returned as ε or v. Computed in double per
 * element and rounded to float once, as the python side does, so both runs see the same network. Records
 * the timesteps it is called at.
 */
public final class MixtureDenoiser implements ModelFunction {

  static final double[] W = {0.4, 0.6};
  static final double[] M = {-0.8, 0.6};
  static final double[] S = {0.3, 0.5};

  private final DiffusionSchedule schedule;
  private final Parameterization parameterization;
  private final List<Double> times = new ArrayList<>();

  public MixtureDenoiser(DiffusionSchedule schedule, Parameterization parameterization) {
    if (parameterization == Parameterization.X0) {
      throw new IllegalArgumentException("the fixtures use eps and v models");
    }
    this.schedule = schedule;
    this.parameterization = parameterization;
  }

  @Override
  public Tensor apply(Tensor x, double t) {
    times.add(t);
    double a = t == Math.floor(t) ? schedule.alphaBar((int) t) : schedule.alphaBarAt(t);
    double sa = Math.sqrt(a);
    double s1 = Math.sqrt(1 - a);
    float[] in = x.toArray();
    float[] out = new float[in.length];
    for (int i = 0; i < in.length; i++) {
      double xt = in[i];
      double[] log = new double[2];
      double[] x0k = new double[2];
      for (int k = 0; k < 2; k++) {
        double var = a * S[k] * S[k] + 1 - a;
        log[k] = Math.log(W[k]) - 0.5 * Math.log(var) - (xt - sa * M[k]) * (xt - sa * M[k]) / (2 * var);
        x0k[k] = M[k] + sa * S[k] * S[k] / var * (xt - sa * M[k]);
      }
      double top = Math.max(log[0], log[1]);
      double e0 = Math.exp(log[0] - top);
      double e1 = Math.exp(log[1] - top);
      double x0 = (e0 * x0k[0] + e1 * x0k[1]) / (e0 + e1);
      double eps = (xt - sa * x0) / s1;
      out[i] = (float) (parameterization == Parameterization.EPS ? eps : sa * eps - s1 * x0);
    }
    return Tensor.of(x.shape(), out);
  }

  /** The timesteps of every call so far, in order. */
  public List<Double> times() {
    return List.copyOf(times);
  }
}
