package io.github.ldm4j.model;

import io.github.ldm4j.tensor.Tensor;
import java.util.Objects;

/**
 * What a denoiser is conditioned on, one variant per CompVis {@code conditioning_key}. The
 * variant's {@link #key()} must match the denoiser's; {@link ConditioningKey#route} turns it into
 * the network's inputs in one place.
 */
public sealed interface Conditioning {

  /** The conditioning key this value is for. */
  ConditioningKey key();

  /** The unconditional case ({@code conditioning_key: None}). */
  static Conditioning none() {
    return None.INSTANCE;
  }

  /** Cross-attention context {@code [B, tokens, dim]}. */
  static Conditioning crossAttn(Tensor context) {
    return new CrossAttn(context);
  }

  /** Channels concatenated to x<sub>t</sub>, {@code [B, C, h, w]}. */
  static Conditioning concat(Tensor channels) {
    return new Concat(channels);
  }

  /** Both: context for cross-attention and channels for concatenation. */
  static Conditioning hybrid(Tensor context, Tensor channels) {
    return new Hybrid(context, channels);
  }

  /** No conditioning. */
  enum None implements Conditioning {
    /** The single instance. */
    INSTANCE;

    @Override
    public ConditioningKey key() {
      return ConditioningKey.NONE;
    }
  }

  /**
   * Cross-attention conditioning ({@code c_crossattn}).
   *
   * @param context {@code [B, tokens, dim]}
   */
  record CrossAttn(Tensor context) implements Conditioning {
    /** Validates the rank. */
    public CrossAttn {
      requireRank("crossattn context", context, 3);
    }

    @Override
    public ConditioningKey key() {
      return ConditioningKey.CROSSATTN;
    }
  }

  /**
   * Channel-concatenation conditioning ({@code c_concat}): e.g. an inpainting mask and masked-image
   * latent, a depth map.
   *
   * @param channels {@code [B, C, h, w]}
   */
  record Concat(Tensor channels) implements Conditioning {
    /** Validates the rank. */
    public Concat {
      requireRank("concat channels", channels, 4);
    }

    @Override
    public ConditioningKey key() {
      return ConditioningKey.CONCAT;
    }
  }

  /**
   * Both cross-attention and concatenation ({@code hybrid}).
   *
   * @param context {@code [B, tokens, dim]}
   * @param channels {@code [B, C, h, w]}
   */
  record Hybrid(Tensor context, Tensor channels) implements Conditioning {
    /** Validates the ranks. */
    public Hybrid {
      requireRank("hybrid context", context, 3);
      requireRank("hybrid concat channels", channels, 4);
    }

    @Override
    public ConditioningKey key() {
      return ConditioningKey.HYBRID;
    }
  }

  private static void requireRank(String what, Tensor t, int rank) {
    Objects.requireNonNull(t, what);
    if (t.rank() != rank) {
      throw new IllegalArgumentException(what + " must have rank " + rank + ", got shape " + t.shape());
    }
  }
}
