package io.github.ldm4j.conditioning;

import java.util.Arrays;
import java.util.Objects;

/**
 * One prompt as an encoder row: BOS, content, EOS, padding.
 *
 * @param ids the row, {@code contextLength} ids
 * @param keptTokens how many content ids the row holds (between BOS and EOS)
 * @param droppedTokens how many content ids did not fit and were cut off the end
 */
public record TokenizedPrompt(int[] ids, int keptTokens, int droppedTokens) {

  /** Validates and copies. */
  public TokenizedPrompt {
    Objects.requireNonNull(ids, "ids");
    if (keptTokens < 0 || droppedTokens < 0 || keptTokens + 2 > ids.length) {
      throw new IllegalArgumentException(
          "row of " + ids.length + " ids cannot hold " + keptTokens + " content tokens (dropped "
              + droppedTokens + ")");
    }
    ids = ids.clone();
  }

  /**
   * Wraps content ids into a row of {@code contextLength}: BOS, as many content ids as fit ({@code
   * contextLength − 2}), EOS, then {@code padId}.
   *
   * @throws IllegalArgumentException when {@code contextLength < 2}
   */
  public static TokenizedPrompt of(int[] content, int bosId, int eosId, int padId, int contextLength) {
    Objects.requireNonNull(content, "content");
    if (contextLength < 2) {
      throw new IllegalArgumentException("context length must be >= 2 (BOS and EOS), got " + contextLength);
    }
    int kept = Math.min(content.length, contextLength - 2);
    int[] row = new int[contextLength];
    row[0] = bosId;
    System.arraycopy(content, 0, row, 1, kept);
    row[kept + 1] = eosId;
    Arrays.fill(row, kept + 2, contextLength, padId);
    return new TokenizedPrompt(row, kept, content.length - kept);
  }

  /** The row (a copy). */
  @Override
  public int[] ids() {
    return ids.clone();
  }

  /** True when content ids were cut off. */
  public boolean truncated() {
    return droppedTokens > 0;
  }

  /** The content ids kept in the row, without BOS, EOS and padding. */
  public int[] contentIds() {
    return Arrays.copyOfRange(ids, 1, 1 + keptTokens);
  }

  /** Length of the row. */
  public int length() {
    return ids.length;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof TokenizedPrompt t
        && Arrays.equals(ids, t.ids) && keptTokens == t.keptTokens && droppedTokens == t.droppedTokens;
  }

  @Override
  public int hashCode() {
    return 31 * (31 * Arrays.hashCode(ids) + keptTokens) + droppedTokens;
  }

  @Override
  public String toString() {
    return "TokenizedPrompt[ids=" + Arrays.toString(ids) + ", keptTokens=" + keptTokens
        + ", droppedTokens=" + droppedTokens + "]";
  }
}
