package io.github.ldm4j.random.internal;

/**
 * The 32-bit Mersenne Twister MT19937 (Matsumoto and Nishimura, 1998) seeded with the reference
 * {@code init_genrand} recurrence, as both PyTorch's CPU generator ({@code at::mt19937}) and
 * NumPy's legacy seeding ({@code mt19937_seed}) do for a 32-bit seed.
 *
 * <p>Not thread-safe.
 */
public final class Mt19937 {

  private static final int N = 624;
  private static final int M = 397;
  private static final int MATRIX_A = 0x9908b0df;
  private static final int UPPER = 0x80000000;
  private static final int LOWER = 0x7fffffff;

  private final int[] state = new int[N];
  private int next;

  /** Seeds with the low 32 bits of {@code seed} ({@code init_genrand}). */
  public Mt19937(int seed) {
    state[0] = seed;
    for (int i = 1; i < N; i++) {
      int prev = state[i - 1];
      state[i] = 1812433253 * (prev ^ (prev >>> 30)) + i;
    }
    next = N;
  }

  /** The next 32 random bits (an unsigned 32-bit value held in an {@code int}). */
  public int nextInt() {
    if (next == N) {
      regenerate();
    }
    int y = state[next++];
    y ^= y >>> 11;
    y ^= (y << 7) & 0x9d2c5680;
    y ^= (y << 15) & 0xefc60000;
    y ^= y >>> 18;
    return y;
  }

  /**
   * Two draws joined as {@code (first << 32) | second}, as PyTorch's {@code random64()} does.
   */
  public long nextLong() {
    long hi = nextInt() & 0xffffffffL;
    long lo = nextInt() & 0xffffffffL;
    return (hi << 32) | lo;
  }

  /** Advances the whole state by one block of 624 words, in place. */
  private void regenerate() {
    // In place and in index order: words below N - M read not-yet-updated words ahead, the rest
    // read words already updated in this pass, exactly as the reference implementation does.
    for (int i = 0; i < N; i++) {
      int y = (state[i] & UPPER) | (state[(i + 1) % N] & LOWER);
      state[i] = state[(i + M) % N] ^ (y >>> 1) ^ ((y & 1) == 0 ? 0 : MATRIX_A);
    }
    next = 0;
  }
}
