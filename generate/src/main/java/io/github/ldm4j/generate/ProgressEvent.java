package io.github.ldm4j.generate;

import io.github.ldm4j.image.RgbImage;
import java.util.Optional;

/**
 * Progress of a generation after one sampler step.
 *
 * @param step 1-based number of the step just finished
 * @param totalSteps steps of the run
 * @param sigma the noise level of the step
 * @param preview a cheap latent-space preview of the first image, when the listener asked for one
 */
public record ProgressEvent(int step, int totalSteps, double sigma, Optional<RgbImage> preview) {

  /** Fraction done, in (0, 1]. */
  public double fraction() {
    return (double) step / totalSteps;
  }
}
