package io.github.ldm4j.conditioning.text.internal;

import java.util.List;

/**
 * A prompt as chunks.
 *
 * @param chunks at least one
 * @param tokenCount content tokens of the whole prompt
 * @param droppedTokens tokens cut off (truncation)
 */
public record ChunkedPrompt(List<TokenChunk> chunks, int tokenCount, int droppedTokens) {

  /** Copies. */
  public ChunkedPrompt {
    chunks = List.copyOf(chunks);
    if (chunks.isEmpty()) {
      throw new IllegalArgumentException("a prompt has at least one chunk");
    }
  }
}
