package io.github.ldm4j.conditioning.prompt;

/** How prompt text is read. */
public enum PromptSyntax {
  /**
   * No syntax: the whole text at weight 1, brackets and {@code BREAK} are plain text (CompVis,
   * diffusers).
   */
  PLAIN,
  /**
   * AUTOMATIC1111's {@code parse_prompt_attention}, bug for bug: {@code (x)} ×1.1, {@code [x]}
   * ÷1.1, {@code (x:w)}, escapes {@code \( \) \[ \] \\}, {@code BREAK}; unbalanced brackets close
   * at the end of the prompt; text that is not a weight after a colon stays text ({@code (x:abc)}
   * is "x:abc" at 1.1); negative weights are accepted; a {@code BREAK} inside brackets is weighted
   * and becomes the text "BREAK" (as A1111's {@code tokenize_line} then sees it). Only a weight
   * that Python's {@code float} would reject ({@code (x:1.2.3)}) is an error.
   */
  A1111,
  /**
   * The A1111 rules with the mistakes rejected: a colon inside round brackets must be followed by
   * a number and the closing bracket ({@code (x:abc)}, {@code (x:nan)}, {@code (x:)} are errors),
   * weights must not be negative, and {@code BREAK} always starts a new chunk, brackets or not.
   * Everything A1111 accepts without these mistakes parses identically.
   */
  A1111_STRICT
}
