package io.github.ldm4j.model;

import io.github.ldm4j.tensor.Tensor;
import java.util.List;
import java.util.Optional;

/**
 * A text transformer over token ids (the network inside a CLIP-style {@link CondStage}). Backends
 * implement it; the conditioning module turns prompts into ids and ids into conditioning with it.
 *
 * <p>Implementations holding native sessions own them and release them in {@link #close()}
 * (idempotent); they must be safe to call from several threads.
 */
public interface TextEncoder extends AutoCloseable {

  /** Width of the hidden states (768 for SD v1). */
  int hiddenSize();

  /** Sequence length the encoder takes (77 for CLIP). */
  int maxLength();

  /**
   * Encodes a batch of token-id rows, each exactly {@link #maxLength()} long.
   *
   * @param inputIds {@code [B][maxLength]}
   */
  TextEncoding encode(int[][] inputIds);

  /**
   * The text model's final layer norm ({@code text_model.final_layer_norm}), when the backend can
   * give its parameters: needed to turn an earlier hidden state into a CLIP-skip context. Empty by
   * default.
   */
  default Optional<LayerNorm> finalLayerNorm() {
    return Optional.empty();
  }

  /**
   * The cross-attention context for CLIP skip {@code clipSkip} (A1111 {@code
   * CLIP_stop_at_last_layers}): 1 is {@code last_hidden_state}; n ≥ 2 is {@code hidden_states[-n]}
   * (the output of the n-th layer from the end) through {@link #finalLayerNorm()}. The default
   * implementation uses {@link #encode} and {@link TextEncoding#hiddenStates()}; a backend may
   * override it, e.g. to stop the network early.
   *
   * @param inputIds {@code [B][maxLength]}
   * @param clipSkip n ≥ 1
   * @return {@code [B, maxLength, hiddenSize]}
   * @throws IllegalArgumentException when {@code clipSkip < 1} or exceeds the encoder's layers
   * @throws UnsupportedOperationException when {@code clipSkip ≥ 2} and the encoder exposes no
   *     {@code hidden_states} output or no final layer norm
   */
  default Tensor encodeContext(int[][] inputIds, int clipSkip) {
    if (clipSkip < 1) {
      throw new IllegalArgumentException("clip skip must be >= 1 (1 = last layer), got " + clipSkip);
    }
    TextEncoding encoding = encode(inputIds);
    if (clipSkip == 1) {
      return encoding.lastHiddenState();
    }
    List<Tensor> hidden = encoding.hiddenStates();
    if (hidden.isEmpty()) {
      throw new UnsupportedOperationException(
          "clip skip " + clipSkip + " needs the text encoder's per-layer 'hidden_states' outputs, which this "
              + "encoder (" + getClass().getSimpleName() + ") does not expose; export the text encoder with "
              + "output_hidden_states or use clip skip 1");
    }
    int layers = hidden.size() - 1;
    if (clipSkip > layers) {
      throw new IllegalArgumentException(
          "clip skip " + clipSkip + " exceeds the " + layers + " layers of the text encoder");
    }
    LayerNorm norm = finalLayerNorm().orElseThrow(() -> new UnsupportedOperationException(
        "clip skip " + clipSkip + " needs the text encoder's 'final_layer_norm' parameters, which this encoder ("
            + getClass().getSimpleName() + ") does not expose"));
    return norm.apply(hidden.get(hidden.size() - clipSkip));
  }

  /** Releases native resources; idempotent. The default holds none. */
  @Override
  default void close() {}
}
