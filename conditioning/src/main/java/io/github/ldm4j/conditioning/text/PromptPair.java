package io.github.ldm4j.conditioning.text;

/**
 * A prompt and its negative prompt (the unconditional prompt of classifier-free guidance; {@code
 * ""} for none).
 *
 * @param prompt the prompt
 * @param negativePrompt the negative prompt
 */
public record PromptPair(String prompt, String negativePrompt) {

  /** Validates. */
  public PromptPair {
    if (prompt == null) {
      throw new IllegalArgumentException("prompt must not be null");
    }
    if (negativePrompt == null) {
      throw new IllegalArgumentException("negative prompt must not be null (use \"\" for none)");
    }
  }

  /** A prompt with the empty negative prompt. */
  public static PromptPair of(String prompt) {
    return new PromptPair(prompt, "");
  }
}
