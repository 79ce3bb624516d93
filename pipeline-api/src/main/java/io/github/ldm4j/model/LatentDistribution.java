package io.github.ldm4j.model;

import io.github.ldm4j.random.RandomSource;
import io.github.ldm4j.tensor.Tensor;
import java.util.Objects;
import java.util.Optional;

/**
 * The posterior of the first stage's encoder (CompVis {@code DiagonalGaussianDistribution}): a
 * mean and, where the model gives it, a log-variance clamped to [−30, 20]. Without a log-variance
 * (exports whose encoder already samples, e.g. the legacy {@code latent_sample} output) the
 * distribution is a point mass at the mean.
 *
 * @param mean {@code [B, C, h, w]}
 * @param logVariance same shape as the mean, when the encoder outputs it
 */
public record LatentDistribution(Tensor mean, Optional<Tensor> logVariance) {

  /** CompVis clamps the log-variance to this range. */
  public static final double LOGVAR_MIN = -30.0;

  /** CompVis clamps the log-variance to this range. */
  public static final double LOGVAR_MAX = 20.0;

  /** Validates shapes and clamps the log-variance. */
  public LatentDistribution {
    Objects.requireNonNull(mean, "mean");
    Objects.requireNonNull(logVariance, "logVariance");
    logVariance.ifPresent(lv -> mean.requireSameShape("latent log-variance", lv));
    logVariance = logVariance.map(lv -> lv.map(v -> Math.min(Math.max(v, LOGVAR_MIN), LOGVAR_MAX)));
  }

  /** A point mass at {@code sample} (no log-variance). */
  public static LatentDistribution deterministic(Tensor sample) {
    return new LatentDistribution(sample, Optional.empty());
  }

  /**
   * Splits CompVis {@code moments} / optimum {@code latent_parameters} {@code [B, 2C, h, w]} into
   * mean (first C channels) and log-variance (last C).
   */
  public static LatentDistribution fromMoments(Tensor moments) {
    if (moments.rank() != 4 || moments.dim(1) % 2 != 0) {
      throw new IllegalArgumentException(
          "moments must be [B, 2C, h, w] (mean ‖ logvar), got shape " + moments.shape());
    }
    int b = moments.dim(0);
    int c = moments.dim(1) / 2;
    int hw = moments.dim(2) * moments.dim(3);
    Tensor mean = Tensor.zeros(b, c, moments.dim(2), moments.dim(3));
    Tensor logvar = Tensor.zeros(b, c, moments.dim(2), moments.dim(3));
    for (int n = 0; n < b; n++) {
      for (int i = 0; i < c * hw; i++) {
        mean.set(n * c * hw + i, moments.get(n * 2 * c * hw + i));
        logvar.set(n * c * hw + i, moments.get(n * 2 * c * hw + c * hw + i));
      }
    }
    return new LatentDistribution(mean, Optional.of(logvar));
  }

  /** The mode (= the mean). */
  public Tensor mode() {
    return mean;
  }

  /**
   * A sample mean + exp(logvar/2)·ε with ε drawn from {@code rng} (one {@code randn} of the mean's
   * shape, as CompVis); the mean itself when there is no log-variance, drawing nothing.
   */
  public Tensor sample(RandomSource rng) {
    if (logVariance.isEmpty()) {
      return mean;
    }
    Tensor eps = rng.randn(mean.shape());
    Tensor lv = logVariance.get();
    Tensor out = Tensor.zeros(mean.shape());
    for (int i = 0; i < out.size(); i++) {
      out.set(i, (float) (mean.get(i) + Math.exp(0.5 * lv.get(i)) * eps.get(i)));
    }
    return out;
  }
}
