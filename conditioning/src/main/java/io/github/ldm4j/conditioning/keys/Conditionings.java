package io.github.ldm4j.conditioning.keys;

import io.github.ldm4j.model.Conditioning;
import io.github.ldm4j.tensor.Tensor;
import java.util.Objects;

/**
 * Builders of {@link Conditioning} for each key, validating shapes with messages that name what
 * does not match.
 *
 * <ul>
 *   <li>{@code crossattn}: the text context {@code [B, tokens, d]};
 *   <li>{@code concat}: tensors at latent resolution concatenated on the channel axis, in the
 *       order given (e.g. {@link io.github.ldm4j.model.InpaintingConditioning#channels} = mask ‖ masked-image latent for
 *       SD inpainting; a depth map for depth-to-image);
 *   <li>{@code hybrid}: both.
 * </ul>
 */
public final class Conditionings {

  private Conditionings() {}

  /** {@code crossattn}: the text context {@code [B, tokens, d]}. */
  public static Conditioning crossAttn(Tensor context) {
    requireRank("cross-attention context", context, 3);
    return Conditioning.crossAttn(context);
  }

  /**
   * {@code concat}: {@code parts} ({@code [B, C_i, h, w]} each) concatenated on the channel axis.
   *
   * @throws IllegalArgumentException when no part is given or parts differ in batch or size
   */
  public static Conditioning concat(Tensor... parts) {
    return Conditioning.concat(channels(parts));
  }

  /**
   * {@code hybrid}: the context {@code [B, tokens, d]} and {@code parts} concatenated on the channel
   * axis.
   *
   * @throws IllegalArgumentException when the batch sizes differ
   */
  public static Conditioning hybrid(Tensor context, Tensor... parts) {
    requireRank("cross-attention context", context, 3);
    Tensor channels = channels(parts);
    if (context.dim(0) != channels.dim(0)) {
      throw new IllegalArgumentException(
          "hybrid conditioning: context batch " + context.dim(0) + " (" + context.shape()
              + ") does not match concat batch " + channels.dim(0) + " (" + channels.shape() + ")");
    }
    return Conditioning.hybrid(context, channels);
  }

  /** {@code parts} concatenated on the channel axis after checking batch and spatial size. */
  static Tensor channels(Tensor... parts) {
    Objects.requireNonNull(parts, "parts");
    if (parts.length == 0) {
      throw new IllegalArgumentException("concat conditioning needs at least one tensor");
    }
    Tensor first = parts[0];
    requireRank("concat part 0", first, 4);
    for (int i = 1; i < parts.length; i++) {
      Tensor p = parts[i];
      requireRank("concat part " + i, p, 4);
      if (p.dim(0) != first.dim(0) || p.dim(2) != first.dim(2) || p.dim(3) != first.dim(3)) {
        throw new IllegalArgumentException(
            "concat part " + i + " " + p.shape() + " does not match part 0 " + first.shape()
                + " in batch or spatial size (all parts are [B, C_i, h, w] with the same B, h, w)");
      }
    }
    return parts.length == 1 ? first : Tensor.concat(1, parts);
  }

  static void requireRank(String what, Tensor t, int rank) {
    Objects.requireNonNull(t, what);
    if (t.rank() != rank) {
      throw new IllegalArgumentException(what + " must have rank " + rank + ", got shape " + t.shape());
    }
  }
}
