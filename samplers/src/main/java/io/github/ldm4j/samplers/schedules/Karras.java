package io.github.ldm4j.samplers.schedules;

import io.github.ldm4j.schedule.DiffusionSchedule;

/**
 * {@code karras}: k-diffusion {@code get_sigmas_karras} (Karras et al. 2022): σ<sub>i</sub> =
 * (σ<sub>max</sub><sup>1/ρ</sup> + i/(n−1)·(σ<sub>min</sub><sup>1/ρ</sup> −
 * σ<sub>max</sub><sup>1/ρ</sup>))<sup>ρ</sup>, i = 0..n−1, with the schedule's σ<sub>min</sub> =
 * σ(0) and σ<sub>max</sub> = σ(T−1), then 0.
 */
public final class Karras extends SigmaSchedule {

  /** The registered name. */
  public static final String NAME = "karras";

  private final double rho;

  /** A Karras schedule with exponent ρ (7 in the paper). */
  public Karras(double rho) {
    super(NAME);
    if (!(rho > 0) || !Double.isFinite(rho)) {
      throw new IllegalArgumentException("rho must be finite and > 0, got " + rho);
    }
    this.rho = rho;
  }

  /** The exponent ρ. */
  public double rho() {
    return rho;
  }

  @Override
  public double[] levels(DiffusionSchedule schedule, int steps) {
    return sigmas(steps, schedule.sigmaMin(), schedule.sigmaMax(), rho);
  }

  /** The {@code n} Karras levels between {@code sigmaMax} and {@code sigmaMin} (no final 0). */
  public static double[] sigmas(int n, double sigmaMin, double sigmaMax, double rho) {
    double minInv = Math.pow(sigmaMin, 1 / rho);
    double maxInv = Math.pow(sigmaMax, 1 / rho);
    double[] ramp = Plans.linspace(0, 1, n);
    double[] out = new double[n];
    for (int i = 0; i < n; i++) {
      out[i] = Math.pow(maxInv + ramp[i] * (minInv - maxInv), rho);
    }
    return out;
  }
}
