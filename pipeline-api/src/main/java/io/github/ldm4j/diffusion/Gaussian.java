package io.github.ldm4j.diffusion;

import io.github.ldm4j.tensor.Tensor;
import java.util.Arrays;
import java.util.Objects;

/**
 * A Gaussian with a per-element mean and one isotropic variance per batch item, the shape of the
 * CompVis {@code (mean, variance, log_variance)} triples ({@code q_mean_variance}, {@code
 * q_posterior}, {@code p_mean_variance}).
 *
 * @param mean {@code [B, ...]}
 * @param variance one variance per batch item
 * @param logVariance one log-variance per batch item, as the reference buffer gives it (the
 *     posterior's is clipped, so it is not always {@code log(variance)})
 */
public record Gaussian(Tensor mean, double[] variance, double[] logVariance) {

  /** Validates and copies. */
  public Gaussian {
    Objects.requireNonNull(mean, "mean");
    variance = variance.clone();
    logVariance = logVariance.clone();
    if (variance.length != mean.dim(0) || logVariance.length != mean.dim(0)) {
      throw new IllegalArgumentException(
          "need one variance and log-variance per batch item of " + mean.shape() + ", got "
              + variance.length + " and " + logVariance.length);
    }
  }

  /** Copy of the per-item variances. */
  @Override
  public double[] variance() {
    return variance.clone();
  }

  /** Copy of the per-item log-variances. */
  @Override
  public double[] logVariance() {
    return logVariance.clone();
  }

  /** Variance of batch item {@code i}. */
  public double variance(int i) {
    return variance[i];
  }

  /** Log-variance of batch item {@code i}. */
  public double logVariance(int i) {
    return logVariance[i];
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Gaussian g && mean.equals(g.mean) && Arrays.equals(variance, g.variance)
        && Arrays.equals(logVariance, g.logVariance);
  }

  @Override
  public int hashCode() {
    return Objects.hash(mean, Arrays.hashCode(variance), Arrays.hashCode(logVariance));
  }

  @Override
  public String toString() {
    return "Gaussian[mean=" + mean + ", variance=" + Arrays.toString(variance) + "]";
  }
}
