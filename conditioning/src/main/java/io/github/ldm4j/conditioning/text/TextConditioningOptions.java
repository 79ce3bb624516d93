package io.github.ldm4j.conditioning.text;

import io.github.ldm4j.conditioning.prompt.PromptSyntax;
import java.util.Objects;

/**
 * How {@link ClipCondStage} turns prompts into context.
 *
 * @param syntax how prompt text is parsed
 * @param longPrompts chunk (A1111) or truncate (CompVis) prompts past one context
 * @param commaBacktrack A1111 "prompt word wrap length limit": when a chunk fills up within this
 *     many tokens after a comma, the tokens after the comma move to the next chunk; 0 disables it
 *     (A1111's default is 20; ignored when truncating)
 * @param clipSkip 1 uses the last layer; n ≥ 2 the n-th layer from the end, through the final
 *     layer norm (A1111 {@code CLIP_stop_at_last_layers})
 * @param emphasis how weighted hidden states are renormalised
 */
public record TextConditioningOptions(
    PromptSyntax syntax, LongPromptMode longPrompts, int commaBacktrack, int clipSkip,
    EmphasisNormalization emphasis) {

  /** A1111's default "prompt word wrap length limit". */
  public static final int A1111_COMMA_BACKTRACK = 20;

  /** Validates. */
  public TextConditioningOptions {
    Objects.requireNonNull(syntax, "syntax");
    Objects.requireNonNull(longPrompts, "longPrompts");
    Objects.requireNonNull(emphasis, "emphasis");
    if (commaBacktrack < 0) {
      throw new IllegalArgumentException("commaBacktrack must be >= 0 (0 disables it), got " + commaBacktrack);
    }
    if (clipSkip < 1) {
      throw new IllegalArgumentException("clipSkip must be >= 1 (1 = last layer), got " + clipSkip);
    }
  }

  /**
   * What A1111 users expect: strict A1111 syntax, 75-token chunks with comma backtrack 20, last
   * layer, per-prompt mean renormalisation.
   */
  public static TextConditioningOptions defaults() {
    return new TextConditioningOptions(
        PromptSyntax.A1111_STRICT, LongPromptMode.CHUNK, A1111_COMMA_BACKTRACK, 1,
        EmphasisNormalization.MEAN_PER_PROMPT);
  }

  /**
   * CompVis {@code FrozenCLIPEmbedder} / diffusers: plain text, truncated to one 77-token context,
   * last layer.
   */
  public static TextConditioningOptions compVis() {
    return new TextConditioningOptions(PromptSyntax.PLAIN, LongPromptMode.TRUNCATE, 0, 1, EmphasisNormalization.NONE);
  }

  /** These options with another syntax. */
  public TextConditioningOptions withSyntax(PromptSyntax s) {
    return new TextConditioningOptions(s, longPrompts, commaBacktrack, clipSkip, emphasis);
  }

  /** These options with another long-prompt mode. */
  public TextConditioningOptions withLongPrompts(LongPromptMode m) {
    return new TextConditioningOptions(syntax, m, commaBacktrack, clipSkip, emphasis);
  }

  /** These options with another comma backtrack. */
  public TextConditioningOptions withCommaBacktrack(int tokens) {
    return new TextConditioningOptions(syntax, longPrompts, tokens, clipSkip, emphasis);
  }

  /** These options with another CLIP skip. */
  public TextConditioningOptions withClipSkip(int n) {
    return new TextConditioningOptions(syntax, longPrompts, commaBacktrack, n, emphasis);
  }

  /** These options with another emphasis normalisation. */
  public TextConditioningOptions withEmphasis(EmphasisNormalization e) {
    return new TextConditioningOptions(syntax, longPrompts, commaBacktrack, clipSkip, e);
  }
}
