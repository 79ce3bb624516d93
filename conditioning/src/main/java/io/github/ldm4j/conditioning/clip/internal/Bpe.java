package io.github.ldm4j.conditioning.clip.internal;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Rank-ordered byte-pair encoding over vocabulary ids, as CLIP's {@code bpe()}: a word is its UTF-8
 * bytes as byte symbols, the last one with the {@code </w>} end-of-word marker; then, while any
 * adjacent pair has a merge, the lowest-ranked pair is merged at every non-overlapping occurrence,
 * left to right. Every symbol is a vocabulary entry, so the work happens on ids.
 */
public final class Bpe {

  /** The end-of-word marker appended to the last symbol of a word. */
  public static final String END_OF_WORD = "</w>";

  private final int[] byteSymbol = new int[256];
  private final int[] byteSymbolEndOfWord = new int[256];
  private final PairRanks ranks;

  /**
   * Builds the tables.
   *
   * @param vocab token → id
   * @param merges pairs in rank order (rank 0 first)
   * @param where names the source in error messages
   * @throws IllegalArgumentException when a byte symbol, a merge part or a merge result is not in
   *     the vocabulary
   */
  public Bpe(Map<String, Integer> vocab, List<String[]> merges, String where) {
    for (int b = 0; b < 256; b++) {
      String sym = String.valueOf(ByteUnicode.charOf(b));
      byteSymbol[b] = require(vocab, sym, where, "byte symbol for byte " + b);
      byteSymbolEndOfWord[b] = require(vocab, sym + END_OF_WORD, where, "end-of-word byte symbol for byte " + b);
    }
    ranks = new PairRanks(merges.size());
    for (int r = 0; r < merges.size(); r++) {
      String[] m = merges.get(r);
      String what = "merge " + r + " ('" + m[0] + " " + m[1] + "')";
      int a = require(vocab, m[0], where, "first part of " + what);
      int b = require(vocab, m[1], where, "second part of " + what);
      int merged = require(vocab, m[0] + m[1], where, "result of " + what);
      ranks.put(a, b, r, merged);
    }
  }

  private static int require(Map<String, Integer> vocab, String token, String where, String what) {
    Integer id = vocab.get(token);
    if (id == null) {
      throw new IllegalArgumentException(where + ": the " + what + ", '" + token + "', is not in the vocabulary");
    }
    return id;
  }

  /** The ids of one word given as UTF-8 bytes (at least one byte). */
  public int[] encode(byte[] utf8) {
    int n = utf8.length;
    int[] word = new int[n];
    for (int i = 0; i < n - 1; i++) {
      word[i] = byteSymbol[utf8[i] & 0xFF];
    }
    word[n - 1] = byteSymbolEndOfWord[utf8[n - 1] & 0xFF];
    int len = n;
    while (len > 1) {
      long best = Long.MAX_VALUE;
      int first = -1;
      for (int i = 0; i < len - 1; i++) {
        long v = ranks.get(word[i], word[i + 1]);
        if (v != PairRanks.MISSING && v < best) {
          best = v;
          first = i;
        }
      }
      if (first < 0) {
        break;
      }
      int a = word[first];
      int b = word[first + 1];
      int merged = (int) best;
      int w = first;
      for (int i = first; i < len; ) {
        if (i + 1 < len && word[i] == a && word[i + 1] == b) {
          word[w++] = merged;
          i += 2;
        } else {
          word[w++] = word[i++];
        }
      }
      len = w;
    }
    return len == n ? word : Arrays.copyOf(word, len);
  }
}
