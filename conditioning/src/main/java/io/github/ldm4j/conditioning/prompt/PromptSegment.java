package io.github.ldm4j.conditioning.prompt;

import java.util.Objects;

/** A piece of a parsed prompt: weighted text, or a chunk break. */
public sealed interface PromptSegment {

  /**
   * Text with the weight its tokens' hidden states are multiplied by.
   *
   * @param text the text (may be empty)
   * @param weight the attention weight, finite
   */
  record Text(String text, double weight) implements PromptSegment {
    /** Validates. */
    public Text {
      Objects.requireNonNull(text, "text");
      if (!Double.isFinite(weight)) {
        throw new IllegalArgumentException("prompt weight must be finite, got " + weight + " for '" + text + "'");
      }
    }
  }

  /** {@code BREAK}: the next tokens start a new 75-token chunk. */
  enum Break implements PromptSegment {
    /** The single instance. */
    INSTANCE
  }
}
