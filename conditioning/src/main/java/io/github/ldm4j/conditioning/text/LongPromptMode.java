package io.github.ldm4j.conditioning.text;

/** What happens to prompts longer than one context (75 content tokens for CLIP). */
public enum LongPromptMode {
  /**
   * A1111: split into chunks of 75 tokens, each wrapped in BOS/EOS and padded to 77, encoded
   * separately and concatenated on the token axis ({@code [B, 77·k, d]}); {@code BREAK} starts a new
   * chunk; near a chunk end the text after the last comma moves to the next chunk (see {@link
   * TextConditioningOptions#commaBacktrack()}).
   */
  CHUNK,
  /**
   * CompVis / diffusers: one context; tokens past 75 (and everything after a {@code BREAK}) are
   * dropped, and the count is reported in {@link PromptUsage#droppedTokens()}.
   */
  TRUNCATE
}
