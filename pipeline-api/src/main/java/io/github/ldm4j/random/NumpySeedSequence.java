package io.github.ldm4j.random;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * NumPy's {@code numpy.random.SeedSequence(entropy, spawn_key=…, pool_size=…)} and its {@code
 * generate_state(n)} (uint32 words), reproduced word for word. torchsde seeds every node of its
 * Brownian trees with it ({@link BrownianTree}).
 *
 * <p>The algorithm is M. E. O'Neill's {@code seed_seq_fe} entropy mixer as NumPy publishes it
 * (NumPy ≥ 1.19): the entropy integer and each spawn-key integer become little-endian 32-bit
 * words (0 is one word 0); when a spawn key is given and the entropy has fewer words than the
 * pool, the entropy is padded with zero words to the pool size; the pool words are the hashmix of
 * the entropy words (0 past the end), then every pool word is mixed with the hashmix of every
 * other, then each remaining entropy word is mixed into every pool word. hashmix(v): v ^= c; c *=
 * 0x931e8875; v *= c; v ^= v ≫ 16, with c starting at 0x43b0d7e5 and running on through the whole
 * mixing; mix(x, y) = (0xca01f9dd·x − 0x4973f715·y), then ^= ≫ 16. {@code generate_state} cycles
 * through the pool: w ^= c; c *= 0x58f38ded; w *= c; w ^= w ≫ 16, c starting at 0x8b51f9dd. All
 * arithmetic is modulo 2<sup>32</sup>.
 *
 * <p>Checked against NumPy 1.24's own outputs (tests). Immutable.
 */
public final class NumpySeedSequence {

  /** NumPy's default (and smallest) pool size. */
  public static final int DEFAULT_POOL_SIZE = 4;

  private static final int INIT_A = 0x43b0d7e5;
  private static final int MULT_A = 0x931e8875;
  private static final int INIT_B = 0x8b51f9dd;
  private static final int MULT_B = 0x58f38ded;
  private static final int MIX_MULT_L = 0xca01f9dd;
  private static final int MIX_MULT_R = 0x4973f715;
  private static final BigInteger MASK_32 = BigInteger.valueOf(0xFFFF_FFFFL);

  private final int[] pool;

  /**
   * {@code SeedSequence(entropy, spawn_key=spawnKey, pool_size=poolSize)}.
   *
   * @throws IllegalArgumentException for a negative entropy or spawn-key element, or a pool smaller than 4
   */
  public NumpySeedSequence(BigInteger entropy, List<BigInteger> spawnKey, int poolSize) {
    Objects.requireNonNull(entropy, "entropy");
    Objects.requireNonNull(spawnKey, "spawnKey");
    if (poolSize < DEFAULT_POOL_SIZE) {
      throw new IllegalArgumentException("pool size must be >= " + DEFAULT_POOL_SIZE + ", got " + poolSize);
    }
    List<Integer> words = words(entropy, "entropy");
    List<Integer> spawn = new ArrayList<>();
    for (BigInteger k : spawnKey) {
      spawn.addAll(words(Objects.requireNonNull(k, "spawn key element"), "spawn key element"));
    }
    if (!spawn.isEmpty()) {
      while (words.size() < poolSize) {
        words.add(0);
      }
    }
    words.addAll(spawn);
    this.pool = mix(words, poolSize);
  }

  /** {@code SeedSequence(entropy, spawn_key=spawnKey, pool_size=poolSize)} for non-negative longs. */
  public NumpySeedSequence(long entropy, long[] spawnKey, int poolSize) {
    this(BigInteger.valueOf(entropy), longs(spawnKey), poolSize);
  }

  /** {@code generate_state(n)}: {@code n} uint32 words (as Java ints; {@code Integer.toUnsignedLong} for the value). */
  public int[] generateState(int n) {
    if (n < 0) {
      throw new IllegalArgumentException("n must be >= 0, got " + n);
    }
    int[] out = new int[n];
    int c = INIT_B;
    for (int i = 0; i < n; i++) {
      int w = pool[i % pool.length];
      w ^= c;
      c *= MULT_B;
      w *= c;
      w ^= w >>> 16;
      out[i] = w;
    }
    return out;
  }

  private static int[] mix(List<Integer> entropy, int poolSize) {
    int[] m = new int[poolSize];
    int[] c = {INIT_A};
    for (int i = 0; i < poolSize; i++) {
      m[i] = hashmix(i < entropy.size() ? entropy.get(i) : 0, c);
    }
    for (int src = 0; src < poolSize; src++) {
      for (int dst = 0; dst < poolSize; dst++) {
        if (src != dst) {
          m[dst] = mix(m[dst], hashmix(m[src], c));
        }
      }
    }
    for (int src = poolSize; src < entropy.size(); src++) {
      for (int dst = 0; dst < poolSize; dst++) {
        m[dst] = mix(m[dst], hashmix(entropy.get(src), c));
      }
    }
    return m;
  }

  private static int hashmix(int value, int[] c) {
    value ^= c[0];
    c[0] *= MULT_A;
    value *= c[0];
    return value ^ (value >>> 16);
  }

  private static int mix(int x, int y) {
    int r = MIX_MULT_L * x - MIX_MULT_R * y;
    return r ^ (r >>> 16);
  }

  private static List<Integer> words(BigInteger n, String what) {
    if (n.signum() < 0) {
      throw new IllegalArgumentException(what + " must be non-negative, got " + n);
    }
    List<Integer> out = new ArrayList<>();
    if (n.signum() == 0) {
      out.add(0);
    }
    while (n.signum() > 0) {
      out.add(n.and(MASK_32).intValue());
      n = n.shiftRight(32);
    }
    return out;
  }

  private static List<BigInteger> longs(long[] values) {
    List<BigInteger> out = new ArrayList<>(values.length);
    for (long v : values) {
      out.add(BigInteger.valueOf(v));
    }
    return out;
  }
}
