package io.github.ldm4j.model;

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

  /** Releases native resources; idempotent. The default holds none. */
  @Override
  default void close() {}
}
