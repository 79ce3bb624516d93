package io.github.ldm4j.conditioning.text;

/**
 * How one prompt used the context.
 *
 * @param tokenCount content tokens of the prompt (no BOS/EOS/padding)
 * @param chunkCount 77-token chunks the prompt itself needed (before padding to the batch's count)
 * @param droppedTokens tokens that were cut off ({@link LongPromptMode#TRUNCATE})
 */
public record PromptUsage(int tokenCount, int chunkCount, int droppedTokens) {

  /** Validates. */
  public PromptUsage {
    if (tokenCount < 0 || chunkCount < 1 || droppedTokens < 0 || droppedTokens > tokenCount) {
      throw new IllegalArgumentException(
          "invalid usage: " + tokenCount + " tokens, " + chunkCount + " chunks, " + droppedTokens + " dropped");
    }
  }

  /** True when tokens were cut off. */
  public boolean truncated() {
    return droppedTokens > 0;
  }
}
