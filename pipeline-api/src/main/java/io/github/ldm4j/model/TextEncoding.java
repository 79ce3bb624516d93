package io.github.ldm4j.model;

import io.github.ldm4j.tensor.Tensor;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The outputs of a {@link TextEncoder}.
 *
 * @param lastHiddenState {@code [B, L, d]}, after the final layer norm
 * @param pooled {@code [B, d]} ({@code pooler_output}), when the encoder gives it
 * @param hiddenStates the per-layer hidden states (embeddings first, before the final layer norm)
 *     when the encoder exposes them, for CLIP skip; empty otherwise
 */
public record TextEncoding(Tensor lastHiddenState, Optional<Tensor> pooled, List<Tensor> hiddenStates) {

  /** Validates and copies. */
  public TextEncoding {
    Objects.requireNonNull(lastHiddenState, "lastHiddenState");
    Objects.requireNonNull(pooled, "pooled");
    hiddenStates = List.copyOf(hiddenStates);
    if (lastHiddenState.rank() != 3) {
      throw new IllegalArgumentException("last_hidden_state must be [B, L, d], got " + lastHiddenState.shape());
    }
  }
}
