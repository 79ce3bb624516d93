package io.github.ldm4j.conditioning.text.internal;

import io.github.ldm4j.conditioning.embedding.EmbeddingTable;
import java.util.List;

/**
 * A prompt as chunks.
 *
 * @param chunks at least one
 * @param tokenCount content tokens of the whole prompt
 * @param droppedTokens tokens cut off (truncation)
 * @param embeddings the textual-inversion embeddings the prompt names, in order of first use
 */
public record ChunkedPrompt(List<TokenChunk> chunks, int tokenCount, int droppedTokens,
    List<EmbeddingTable.Entry> embeddings) {

  /** Copies. */
  public ChunkedPrompt {
    chunks = List.copyOf(chunks);
    embeddings = List.copyOf(embeddings);
    if (chunks.isEmpty()) {
      throw new IllegalArgumentException("a prompt has at least one chunk");
    }
  }
}
