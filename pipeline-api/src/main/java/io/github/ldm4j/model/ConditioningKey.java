package io.github.ldm4j.model;

import io.github.ldm4j.tensor.Tensor;
import java.util.Locale;
import java.util.Optional;

/**
 * How conditioning enters the denoising network: CompVis {@code DiffusionWrapper.conditioning_key}.
 * {@link #route} is the single place where a {@link Conditioning} becomes the network's inputs.
 */
public enum ConditioningKey {
  /** Unconditional: the network sees x<sub>t</sub> and t only. */
  NONE("none"),
  /** {@code crossattn}: a context tensor feeds the cross-attention layers. */
  CROSSATTN("crossattn"),
  /** {@code concat}: tensors are concatenated to x<sub>t</sub> on the channel axis. */
  CONCAT("concat"),
  /** {@code hybrid}: both concatenation and cross-attention. */
  HYBRID("hybrid");

  private final String compvisName;

  ConditioningKey(String compvisName) {
    this.compvisName = compvisName;
  }

  /** The CompVis name ({@code none} stands for Python's {@code None}). */
  public String compvisName() {
    return compvisName;
  }

  /**
   * The key of a network by what it takes, as {@code DiffusionWrapper} feeds it: a cross-attention
   * context ({@code crossattn}), channels concatenated to x<sub>t</sub> ({@code concat}), both
   * ({@code hybrid}) or neither. The one rule for reading a key from a network: from an export's
   * tensor contract and from a checkpoint's tensors alike.
   */
  public static ConditioningKey of(boolean crossAttention, boolean concat) {
    if (crossAttention) {
      return concat ? HYBRID : CROSSATTN;
    }
    return concat ? CONCAT : NONE;
  }

  /** Parses a CompVis name; {@code null} and {@code "none"} mean {@link #NONE}. */
  public static ConditioningKey fromName(String name) {
    if (name == null) {
      return NONE;
    }
    String n = name.trim().toLowerCase(Locale.ROOT);
    for (ConditioningKey k : values()) {
      if (k.compvisName.equals(n)) {
        return k;
      }
    }
    throw new IllegalArgumentException(
        "unknown conditioning key '" + name + "'; expected one of none, crossattn, concat, hybrid");
  }

  /**
   * The inputs of the network for latent {@code x} under conditioning {@code c}, as CompVis {@code
   * DiffusionWrapper.forward} builds them: {@code concat}/{@code hybrid} put {@code cat([x, c],
   * dim=1)} in the sample, {@code crossattn}/{@code hybrid} pass the context.
   *
   * @throws IllegalArgumentException when {@code c} is for another key, or its batch or spatial
   *     size does not match {@code x}
   */
  public NetworkInputs route(Tensor x, Conditioning c) {
    if (c.key() != this) {
      throw new IllegalArgumentException(
          "a denoiser with conditioning key '" + compvisName + "' cannot take '" + c.key().compvisName + "' conditioning");
    }
    if (x.rank() != 4) {
      throw new IllegalArgumentException("latent x must be [B, C, h, w], got shape " + x.shape());
    }
    return switch (c) {
      case Conditioning.None n -> new NetworkInputs(x, Optional.empty());
      case Conditioning.CrossAttn ca -> new NetworkInputs(x, Optional.of(checkContext(x, ca.context())));
      case Conditioning.Concat cc -> new NetworkInputs(concatChannels(x, cc.channels()), Optional.empty());
      case Conditioning.Hybrid h ->
          new NetworkInputs(concatChannels(x, h.channels()), Optional.of(checkContext(x, h.context())));
    };
  }

  private static Tensor checkContext(Tensor x, Tensor context) {
    if (context.dim(0) != x.dim(0)) {
      throw new IllegalArgumentException(
          "context batch " + context.dim(0) + " (shape " + context.shape() + ") does not match latent batch "
              + x.dim(0) + " (shape " + x.shape() + ")");
    }
    return context;
  }

  private static Tensor concatChannels(Tensor x, Tensor channels) {
    if (channels.dim(0) != x.dim(0) || channels.dim(2) != x.dim(2) || channels.dim(3) != x.dim(3)) {
      throw new IllegalArgumentException(
          "concat conditioning of shape " + channels.shape() + " does not match latent " + x.shape()
              + " in batch or spatial size");
    }
    return Tensor.concat(1, x, channels);
  }

  /**
   * The network inputs after routing.
   *
   * @param sample x<sub>t</sub>, with concatenated channels for {@code concat}/{@code hybrid}
   * @param context the cross-attention context, when the key has one
   */
  public record NetworkInputs(Tensor sample, Optional<Tensor> context) {}
}
