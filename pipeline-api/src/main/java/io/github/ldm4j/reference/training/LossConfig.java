package io.github.ldm4j.reference.training;

import java.util.Objects;

/**
 * The weights of CompVis {@code p_losses} (the {@code LatentDiffusion} variant).
 *
 * @param lossType {@code loss_type}
 * @param lSimpleWeight {@code l_simple_weight}, the weight of the simple term
 * @param originalElboWeight {@code original_elbo_weight}, the weight of the variational-bound term
 * @param logvar the (constant) learned log-variance {@code logvar}, CompVis {@code logvar_init};
 *     the simple term enters the loss as loss_simple / exp(logvar) + logvar
 */
public record LossConfig(LossType lossType, double lSimpleWeight, double originalElboWeight, double logvar) {

  /** The CompVis defaults: l2, l_simple_weight 1, original_elbo_weight 0, logvar_init 0. */
  public static final LossConfig DEFAULTS = new LossConfig(LossType.L2, 1.0, 0.0, 0.0);

  /** Validates. */
  public LossConfig {
    Objects.requireNonNull(lossType, "lossType");
    requireFinite("l_simple_weight", lSimpleWeight);
    requireFinite("original_elbo_weight", originalElboWeight);
    requireFinite("logvar", logvar);
  }

  /** A copy with {@code loss_type} replaced. */
  public LossConfig withLossType(LossType value) {
    return new LossConfig(value, lSimpleWeight, originalElboWeight, logvar);
  }

  /** A copy with the two term weights replaced. */
  public LossConfig withWeights(double simple, double elbo) {
    return new LossConfig(lossType, simple, elbo, logvar);
  }

  /** A copy with {@code logvar} replaced. */
  public LossConfig withLogvar(double value) {
    return new LossConfig(lossType, lSimpleWeight, originalElboWeight, value);
  }

  private static void requireFinite(String what, double v) {
    if (!Double.isFinite(v)) {
      throw new IllegalArgumentException(what + " must be finite, got " + v);
    }
  }
}
