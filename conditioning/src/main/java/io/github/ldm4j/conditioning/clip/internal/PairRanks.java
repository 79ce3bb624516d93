package io.github.ldm4j.conditioning.clip.internal;

/**
 * Open-addressing map from a symbol pair (two non-negative ids) to its merge rank and merged id,
 * without boxing: the hot lookup of BPE.
 */
final class PairRanks {

  static final long MISSING = -1L;
  private static final long EMPTY = -1L;

  private final long[] keys;
  private final long[] values;
  private final int mask;
  private int size;

  PairRanks(int expected) {
    int cap = Integer.highestOneBit(Math.max(16, expected * 2 - 1)) << 1;
    keys = new long[cap];
    values = new long[cap];
    java.util.Arrays.fill(keys, EMPTY);
    mask = cap - 1;
  }

  static long key(int a, int b) {
    return ((long) a << 32) | (b & 0xFFFFFFFFL);
  }

  /** Stores (rank, merged) for the pair, replacing an earlier entry (a later merge line wins, as in a dict). */
  void put(int a, int b, int rank, int merged) {
    if (size * 2 >= keys.length) {
      throw new IllegalStateException("pair table full");
    }
    long k = key(a, b);
    int i = slot(k);
    while (keys[i] != EMPTY && keys[i] != k) {
      i = (i + 1) & mask;
    }
    if (keys[i] == EMPTY) {
      size++;
    }
    keys[i] = k;
    values[i] = ((long) rank << 32) | (merged & 0xFFFFFFFFL);
  }

  /** (rank << 32 | merged), or {@link #MISSING}. */
  long get(int a, int b) {
    long k = key(a, b);
    int i = slot(k);
    while (true) {
      long kk = keys[i];
      if (kk == k) {
        return values[i];
      }
      if (kk == EMPTY) {
        return MISSING;
      }
      i = (i + 1) & mask;
    }
  }

  private int slot(long k) {
    long h = k * 0x9E3779B97F4A7C15L;
    return (int) (h >>> 40) & mask;
  }
}
