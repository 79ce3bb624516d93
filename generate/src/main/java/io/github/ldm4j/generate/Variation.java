package io.github.ldm4j.generate;

/**
 * AUTOMATIC1111's variation seed: each image's initial noise is the spherical interpolation
 * ({@code slerp}) from its seed's noise toward the noise of a second seed, the subseed. With a
 * variation every image of a batch keeps the same seed and image i takes {@code subseed + i}, as
 * A1111 assigns them ({@code all_seeds}, {@code all_subseeds}), so a batch shows variations of one
 * image.
 *
 * @param subseed the variation seed of the first image (interpreted by the settings' RNG)
 * @param strength how far toward the subseed's noise, in (0, 1] (1 = the subseed's noise alone)
 */
public record Variation(long subseed, double strength) {

  /** Validates. */
  public Variation {
    if (!(strength > 0 && strength <= 1)) {
      throw new IllegalArgumentException("variation seed strength must be in (0, 1], got " + strength);
    }
  }
}
