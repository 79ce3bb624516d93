package io.github.ldm4j.conditioning.text.internal;

import java.util.Objects;

/**
 * One encoder row: BOS, up to 75 content tokens, EOS, padding; with the weight of every position
 * (1 for BOS, EOS and padding).
 *
 * @param ids the row
 * @param weights the weight per position, same length
 * @param contentTokens content tokens in the row
 */
public record TokenChunk(int[] ids, double[] weights, int contentTokens) {

  /** Validates (no copies: internal, never shared mutably). */
  public TokenChunk {
    Objects.requireNonNull(ids, "ids");
    Objects.requireNonNull(weights, "weights");
    if (ids.length != weights.length) {
      throw new IllegalArgumentException(ids.length + " ids but " + weights.length + " weights");
    }
  }

  /** True when every weight is exactly 1. */
  public boolean unweighted() {
    for (double w : weights) {
      if (w != 1.0) {
        return false;
      }
    }
    return true;
  }
}
