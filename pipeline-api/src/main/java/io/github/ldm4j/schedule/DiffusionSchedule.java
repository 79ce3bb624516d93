package io.github.ldm4j.schedule;

import java.util.Objects;

/**
 * The buffers of CompVis {@code DDPM.register_schedule}, computed once in double precision from a
 * {@link BetaSchedule}: ᾱ, ᾱ<sub>prev</sub>, √ᾱ, √(1−ᾱ), log(1−ᾱ), √(1/ᾱ), √(1/ᾱ−1), the
 * posterior variance (with {@code v_posterior}), its clipped log, the posterior mean coefficients
 * and the variational-bound weights for eps and x0 parameterizations.
 *
 * <p>It also converts between discrete timesteps and the noise level σ(t) = √((1−ᾱ<sub>t</sub>)/ᾱ<sub>t</sub>)
 * of the equivalent variance-exploding process, with log-σ interpolation for fractional t (as
 * k-diffusion's {@code DiscreteSchedule} does).
 *
 * <p>Immutable and thread-safe; array accessors return copies, indexed accessors do not allocate.
 */
public final class DiffusionSchedule {

  private final BetaSchedule betaSchedule;
  private final int timesteps;
  private final double vPosterior;
  private final double[] betas;
  private final double[] alphas;
  private final double[] alphasCumprod;
  private final double[] alphasCumprodPrev;
  private final double[] sqrtAlphasCumprod;
  private final double[] sqrtOneMinusAlphasCumprod;
  private final double[] logOneMinusAlphasCumprod;
  private final double[] sqrtRecipAlphasCumprod;
  private final double[] sqrtRecipm1AlphasCumprod;
  private final double[] posteriorVariance;
  private final double[] posteriorLogVarianceClipped;
  private final double[] posteriorMeanCoef1;
  private final double[] posteriorMeanCoef2;
  private final double[] lvlbWeightsEps;
  private final double[] lvlbWeightsX0;
  private final double[] sigmas;
  private final double[] logSigmas;

  private DiffusionSchedule(BetaSchedule betaSchedule, int timesteps, double vPosterior) {
    this.betaSchedule = Objects.requireNonNull(betaSchedule, "betaSchedule");
    if (timesteps < 2) {
      throw new IllegalArgumentException("timesteps must be >= 2, got " + timesteps);
    }
    if (!(vPosterior >= 0 && vPosterior <= 1)) {
      throw new IllegalArgumentException("v_posterior must be in [0, 1], got " + vPosterior);
    }
    this.timesteps = timesteps;
    this.vPosterior = vPosterior;
    int n = timesteps;
    betas = betaSchedule.betas(n);
    if (betas.length != n) {
      throw new IllegalStateException("beta schedule returned " + betas.length + " betas for " + n + " timesteps");
    }
    alphas = new double[n];
    alphasCumprod = new double[n];
    alphasCumprodPrev = new double[n];
    sqrtAlphasCumprod = new double[n];
    sqrtOneMinusAlphasCumprod = new double[n];
    logOneMinusAlphasCumprod = new double[n];
    sqrtRecipAlphasCumprod = new double[n];
    sqrtRecipm1AlphasCumprod = new double[n];
    posteriorVariance = new double[n];
    posteriorLogVarianceClipped = new double[n];
    posteriorMeanCoef1 = new double[n];
    posteriorMeanCoef2 = new double[n];
    lvlbWeightsEps = new double[n];
    lvlbWeightsX0 = new double[n];
    sigmas = new double[n];
    logSigmas = new double[n];
    double cum = 1;
    for (int t = 0; t < n; t++) {
      double b = betas[t];
      if (!(b > 0 && b < 1)) {
        throw new IllegalArgumentException("beta[" + t + "] = " + b + " is outside (0, 1)");
      }
      alphas[t] = 1 - b;
      alphasCumprodPrev[t] = cum;
      cum *= alphas[t];
      alphasCumprod[t] = cum;
    }
    for (int t = 0; t < n; t++) {
      double ab = alphasCumprod[t];
      double abPrev = alphasCumprodPrev[t];
      double b = betas[t];
      sqrtAlphasCumprod[t] = Math.sqrt(ab);
      sqrtOneMinusAlphasCumprod[t] = Math.sqrt(1 - ab);
      logOneMinusAlphasCumprod[t] = Math.log(1 - ab);
      sqrtRecipAlphasCumprod[t] = Math.sqrt(1 / ab);
      sqrtRecipm1AlphasCumprod[t] = Math.sqrt(1 / ab - 1);
      double var = (1 - vPosterior) * b * (1 - abPrev) / (1 - ab) + vPosterior * b;
      posteriorVariance[t] = var;
      posteriorLogVarianceClipped[t] = Math.log(Math.max(var, 1e-20));
      posteriorMeanCoef1[t] = b * Math.sqrt(abPrev) / (1 - ab);
      posteriorMeanCoef2[t] = (1 - abPrev) * Math.sqrt(alphas[t]) / (1 - ab);
      lvlbWeightsEps[t] = b * b / (2 * var * alphas[t] * (1 - ab));
      // Exactly as CompVis writes it: 0.5 * sqrt(ac) / (2. * 1 - ac), i.e. divided by (2 - ab).
      lvlbWeightsX0[t] = 0.5 * Math.sqrt(ab) / (2. * 1 - ab);
      sigmas[t] = Math.sqrt((1 - ab) / ab);
      logSigmas[t] = Math.log(sigmas[t]);
    }
    // CompVis: lvlb_weights[0] = lvlb_weights[1] (the t = 0 weight is infinite with v_posterior = 0).
    lvlbWeightsEps[0] = lvlbWeightsEps[1];
    lvlbWeightsX0[0] = lvlbWeightsX0[1];
  }

  /** {@code register_schedule(beta_schedule, timesteps, v_posterior)}. */
  public static DiffusionSchedule of(BetaSchedule schedule, int timesteps, double vPosterior) {
    return new DiffusionSchedule(schedule, timesteps, vPosterior);
  }

  /** {@code register_schedule} with {@code v_posterior = 0} (the CompVis default). */
  public static DiffusionSchedule of(BetaSchedule schedule, int timesteps) {
    return new DiffusionSchedule(schedule, timesteps, 0);
  }

  /** Given betas; T is their count. */
  public static DiffusionSchedule ofGivenBetas(double[] betas, double vPosterior) {
    return new DiffusionSchedule(new BetaSchedule.Given(betas), betas.length, vPosterior);
  }

  /** The Stable Diffusion v1 schedule: linear 0.00085 → 0.012, T = 1000. */
  public static DiffusionSchedule stableDiffusionV1() {
    return of(BetaSchedule.stableDiffusionV1(), 1000);
  }

  /** The beta schedule this was built from. */
  public BetaSchedule betaSchedule() {
    return betaSchedule;
  }

  /** Number of training timesteps T. */
  public int timesteps() {
    return timesteps;
  }

  /** The {@code v_posterior} mixing weight. */
  public double vPosterior() {
    return vPosterior;
  }

  // ------------------------------------------------------------ indexed accessors (no allocation)

  /** β<sub>t</sub>. */
  public double beta(int t) {
    return betas[check(t)];
  }

  /** α<sub>t</sub> = 1 − β<sub>t</sub>. */
  public double alpha(int t) {
    return alphas[check(t)];
  }

  /** ᾱ<sub>t</sub>. */
  public double alphaBar(int t) {
    return alphasCumprod[check(t)];
  }

  /** ᾱ<sub>t−1</sub>, with ᾱ<sub>−1</sub> = 1. */
  public double alphaBarPrev(int t) {
    return alphasCumprodPrev[check(t)];
  }

  /** √ᾱ<sub>t</sub>. */
  public double sqrtAlphaBar(int t) {
    return sqrtAlphasCumprod[check(t)];
  }

  /** √(1 − ᾱ<sub>t</sub>). */
  public double sqrtOneMinusAlphaBar(int t) {
    return sqrtOneMinusAlphasCumprod[check(t)];
  }

  /** log(1 − ᾱ<sub>t</sub>). */
  public double logOneMinusAlphaBar(int t) {
    return logOneMinusAlphasCumprod[check(t)];
  }

  /** √(1/ᾱ<sub>t</sub>). */
  public double sqrtRecipAlphaBar(int t) {
    return sqrtRecipAlphasCumprod[check(t)];
  }

  /** √(1/ᾱ<sub>t</sub> − 1). */
  public double sqrtRecipm1AlphaBar(int t) {
    return sqrtRecipm1AlphasCumprod[check(t)];
  }

  /** Posterior variance of q(x<sub>t−1</sub> | x<sub>t</sub>, x<sub>0</sub>). */
  public double posteriorVariance(int t) {
    return posteriorVariance[check(t)];
  }

  /** log(max(posterior variance, 1e-20)). */
  public double posteriorLogVarianceClipped(int t) {
    return posteriorLogVarianceClipped[check(t)];
  }

  /** Posterior mean coefficient of x<sub>0</sub>. */
  public double posteriorMeanCoef1(int t) {
    return posteriorMeanCoef1[check(t)];
  }

  /** Posterior mean coefficient of x<sub>t</sub>. */
  public double posteriorMeanCoef2(int t) {
    return posteriorMeanCoef2[check(t)];
  }

  /** Variational-bound weight for the eps parameterization (index 0 copied from 1, as CompVis). */
  public double lvlbWeightEps(int t) {
    return lvlbWeightsEps[check(t)];
  }

  /**
   * Variational-bound weight for the x0 parameterization, as the CompVis code computes it:
   * 0.5·√ᾱ/(2 − ᾱ) (the reference's {@code 2. * 1 - ac} binds as 2 − ᾱ); index 0 copied from 1.
   */
  public double lvlbWeightX0(int t) {
    return lvlbWeightsX0[check(t)];
  }

  /** σ<sub>t</sub> = √((1 − ᾱ<sub>t</sub>)/ᾱ<sub>t</sub>). */
  public double sigma(int t) {
    return sigmas[check(t)];
  }

  /** The smallest σ, at t = 0. */
  public double sigmaMin() {
    return sigmas[0];
  }

  /** The largest σ, at t = T − 1. */
  public double sigmaMax() {
    return sigmas[timesteps - 1];
  }

  // ------------------------------------------------------------ array copies

  /** Copy of the betas. */
  public double[] betas() {
    return betas.clone();
  }

  /** Copy of ᾱ. */
  public double[] alphasCumprod() {
    return alphasCumprod.clone();
  }

  /** Copy of ᾱ<sub>prev</sub>. */
  public double[] alphasCumprodPrev() {
    return alphasCumprodPrev.clone();
  }

  /** Copy of σ<sub>t</sub> for t = 0..T−1 (increasing). */
  public double[] sigmas() {
    return sigmas.clone();
  }

  // ------------------------------------------------------------ continuous time

  /**
   * σ at a fractional timestep t ∈ [0, T−1], interpolating log σ linearly between neighbouring
   * integer timesteps (k-diffusion {@code t_to_sigma}).
   */
  public double tToSigma(double t) {
    checkContinuous(t);
    int lo = (int) Math.floor(t);
    int hi = Math.min(lo + 1, timesteps - 1);
    double w = t - lo;
    return Math.exp((1 - w) * logSigmas[lo] + w * logSigmas[hi]);
  }

  /**
   * The fractional timestep whose σ is {@code sigma} (k-diffusion {@code sigma_to_t}): log σ is
   * interpolated between the two bracketing training σ; values outside [σ<sub>min</sub>,
   * σ<sub>max</sub>] clamp to t = 0 or T − 1.
   */
  public double sigmaToT(double sigma) {
    if (!(sigma > 0) || !Double.isFinite(sigma)) {
      throw new IllegalArgumentException("sigma must be finite and > 0, got " + sigma);
    }
    double ls = Math.log(sigma);
    if (ls <= logSigmas[0]) {
      return 0;
    }
    if (ls >= logSigmas[timesteps - 1]) {
      return timesteps - 1;
    }
    int lo = 0;
    int hi = timesteps - 1;
    while (hi - lo > 1) {
      int mid = (lo + hi) >>> 1;
      if (logSigmas[mid] <= ls) {
        lo = mid;
      } else {
        hi = mid;
      }
    }
    double w = (logSigmas[lo] - ls) / (logSigmas[lo] - logSigmas[hi]);
    return lo + w;
  }

  /** ᾱ at a fractional timestep, through {@link #tToSigma}: ᾱ = 1/(1 + σ²). */
  public double alphaBarAt(double t) {
    double s = tToSigma(t);
    return 1 / (1 + s * s);
  }

  /** ᾱ for a noise level σ: 1/(1 + σ²). */
  public static double alphaBarForSigma(double sigma) {
    return 1 / (1 + sigma * sigma);
  }

  /** σ for a cumulative alpha: √((1 − ᾱ)/ᾱ). */
  public static double sigmaForAlphaBar(double alphaBar) {
    return Math.sqrt((1 - alphaBar) / alphaBar);
  }

  /** Throws unless {@code t} is an integer timestep in [0, T). */
  public int check(int t) {
    if (t < 0 || t >= timesteps) {
      throw new IllegalArgumentException("timestep " + t + " is outside [0, " + timesteps + ")");
    }
    return t;
  }

  private void checkContinuous(double t) {
    if (!(t >= 0 && t <= timesteps - 1)) {
      throw new IllegalArgumentException("timestep " + t + " is outside [0, " + (timesteps - 1) + "]");
    }
  }

  @Override
  public String toString() {
    return "DiffusionSchedule[" + betaSchedule.compvisName() + ", T=" + timesteps + ", v_posterior=" + vPosterior + "]";
  }
}
