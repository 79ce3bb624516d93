package io.github.ldm4j.sampler;

import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;

/**
 * Tuning knobs of the samplers that have them (k-diffusion / CompVis names). A sampler uses the
 * ones its reference has and rejects values it cannot honour (e.g. an unsupported order).
 *
 * @param eta stochasticity (DDIM η, ancestral η); empty for the sampler's own default
 * @param sChurn k-diffusion {@code s_churn}
 * @param sTmin k-diffusion {@code s_tmin}
 * @param sTmax k-diffusion {@code s_tmax}
 * @param sNoise k-diffusion {@code s_noise}
 * @param order solver order; empty for the sampler's own default
 * @param noise the SDE samplers' noise source; empty for their default ({@link SdeNoise#BROWNIAN})
 */
public record SamplerOptions(
    OptionalDouble eta, double sChurn, double sTmin, double sTmax, double sNoise, OptionalInt order,
    Optional<SdeNoise> noise) {

  /** The references' defaults: s_churn 0, s_tmin 0, s_tmax ∞, s_noise 1, η, order and noise per sampler. */
  public static final SamplerOptions DEFAULTS =
      new SamplerOptions(OptionalDouble.empty(), 0, 0, Double.POSITIVE_INFINITY, 1, OptionalInt.empty(), Optional.empty());

  /** Validates ranges. */
  public SamplerOptions {
    Objects.requireNonNull(eta, "eta");
    Objects.requireNonNull(order, "order");
    Objects.requireNonNull(noise, "noise");
    eta.ifPresent(e -> {
      if (!(e >= 0) || !Double.isFinite(e)) {
        throw new IllegalArgumentException("eta must be finite and >= 0, got " + e);
      }
    });
    if (!(sChurn >= 0) || !Double.isFinite(sChurn)) {
      throw new IllegalArgumentException("s_churn must be finite and >= 0, got " + sChurn);
    }
    if (!(sTmin >= 0) || Double.isNaN(sTmax) || sTmax < sTmin) {
      throw new IllegalArgumentException("need 0 <= s_tmin <= s_tmax, got " + sTmin + ", " + sTmax);
    }
    if (!(sNoise >= 0) || !Double.isFinite(sNoise)) {
      throw new IllegalArgumentException("s_noise must be finite and >= 0, got " + sNoise);
    }
    order.ifPresent(o -> {
      if (o < 1) {
        throw new IllegalArgumentException("order must be >= 1, got " + o);
      }
    });
  }

  /** A copy with η set. */
  public SamplerOptions withEta(double value) {
    return new SamplerOptions(OptionalDouble.of(value), sChurn, sTmin, sTmax, sNoise, order, noise);
  }

  /** A copy with the order set. */
  public SamplerOptions withOrder(int value) {
    return new SamplerOptions(eta, sChurn, sTmin, sTmax, sNoise, OptionalInt.of(value), noise);
  }

  /** A copy with the SDE noise source set. */
  public SamplerOptions withNoise(SdeNoise value) {
    return new SamplerOptions(eta, sChurn, sTmin, sTmax, sNoise, order, Optional.of(value));
  }
}
