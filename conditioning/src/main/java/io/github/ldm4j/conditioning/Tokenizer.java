package io.github.ldm4j.conditioning;

import java.util.OptionalInt;

/**
 * Text to token ids for a fixed-context text encoder (CLIP: 77 tokens with BOS and EOS).
 *
 * <p>Implementations are immutable (apart from internal caches) and safe to use from several
 * threads.
 */
public interface Tokenizer {

  /**
   * The content ids of {@code text}: no BOS/EOS, no padding, no truncation.
   *
   * @throws IllegalArgumentException for a null text
   */
  int[] tokenize(String text);

  /**
   * {@code text} as one encoder row of {@link #contextLength()} ids: BOS, the content ids, EOS, then
   * {@link #padId()} up to the context length. Content that does not fit is cut and reported in the
   * result ({@link TokenizedPrompt#truncated()}), never silently.
   *
   * @throws IllegalArgumentException for a null text
   */
  default TokenizedPrompt encode(String text) {
    return TokenizedPrompt.of(tokenize(text), bosId(), eosId(), padId(), contextLength());
  }

  /**
   * Text for ids: special tokens (BOS, EOS) are skipped, end-of-word markers become spaces, leading
   * and trailing spaces are trimmed, invalid UTF-8 becomes U+FFFD.
   *
   * @throws IllegalArgumentException for an id outside the vocabulary
   */
  String decode(int[] ids);

  /** Ids per encoder row, BOS and EOS included (77 for CLIP). */
  int contextLength();

  /** Beginning-of-text id. */
  int bosId();

  /** End-of-text id. */
  int eosId();

  /** The id rows are padded with after EOS (49407 for SD v1, 0 for OpenCLIP-style SD 2). */
  int padId();

  /** Number of ids in the vocabulary. */
  int vocabularySize();

  /** The id of an exact vocabulary entry (e.g. {@code ",</w>"}), if present. */
  OptionalInt tokenId(String vocabularyToken);
}
