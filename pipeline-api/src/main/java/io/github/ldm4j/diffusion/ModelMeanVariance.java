package io.github.ldm4j.diffusion;

import io.github.ldm4j.tensor.Tensor;
import java.util.Objects;

/**
 * The result of CompVis {@code p_mean_variance}: the model's reverse distribution
 * p(x<sub>t−1</sub> | x<sub>t</sub>) and the x<sub>0</sub> it was derived from.
 *
 * @param distribution mean, variance and (clipped) log-variance of p(x<sub>t−1</sub> | x<sub>t</sub>)
 * @param predictedX0 the model's x<sub>0</sub> estimate, clipped to [−1, 1] when {@code
 *     clip_denoised} was set
 */
public record ModelMeanVariance(Gaussian distribution, Tensor predictedX0) {

  /** Validates. */
  public ModelMeanVariance {
    Objects.requireNonNull(distribution, "distribution");
    Objects.requireNonNull(predictedX0, "predictedX0");
    distribution.mean().requireSameShape("predicted x0", predictedX0);
  }
}
