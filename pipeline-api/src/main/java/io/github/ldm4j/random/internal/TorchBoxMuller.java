package io.github.ldm4j.random.internal;

/**
 * The 16-wide Box–Muller transform PyTorch's CPU {@code normal_} applies to blocks of float32
 * uniforms (ATen {@code normal_fill_16_AVX2} and {@code normal_fill_16}).
 *
 * <p>A block holds 16 uniforms u in [0, 1). For j in 0..7 the pair (u[j], u[j + 8]) becomes
 * r = √(−2·ln(1 − u[j])) and θ = 2π·u[j + 8]; element j receives r·cos θ and element j + 8
 * receives r·sin θ. ATen computes ln, sin and cos differently per CPU build, hence two variants,
 * each evaluated here in float32 arithmetic step by step:
 *
 * <ul>
 *   <li>{@link #avx2}: the AVX2 kernel (x86-64 builds; AVX-512 builds run the same code) evaluates
 *       ln and sin/cos with the Cephes single-precision polynomials of ATen's {@code
 *       avx_mathfun.h}. The released binaries contract every multiply followed by an add into a
 *       fused multiply-add, so this emulation does too; it reproduces torch 2.11.0's output bit
 *       for bit (checked on 1,016,387 values).
 *   <li>{@link #portable}: the generic kernel calls the C library's {@code logf}, {@code cosf} and
 *       {@code sinf}; here they are the correctly rounded float results, which agree with glibc's
 *       to within 2 ulps of max(|value|, 1).
 * </ul>
 */
public final class TorchBoxMuller {

  // 2.0f * c10::pi<double>, evaluated in double, then rounded to float by _mm256_set1_ps.
  private static final float TWO_PI_F = (float) (2.0 * Math.PI);

  // Constants of the C source are double literals converted to float, hence the casts.
  // Cephes logf: sqrt(1/2) and the polynomial for ln(1 + x) on [sqrt(1/2) - 1, sqrt(2) - 1].
  private static final float SQRTHF = (float) 0.707106781186547524;
  private static final float[] LOG_P = {
    (float) 7.0376836292E-2, (float) -1.1514610310E-1, (float) 1.1676998740E-1,
    (float) -1.2420140846E-1, (float) 1.4249322787E-1, (float) -1.6668057665E-1,
    (float) 2.0000714765E-1, (float) -2.4999993993E-1, (float) 3.3333331174E-1
  };
  // ln 2 = LOG_Q2 - LOG_Q1: a short exact head and a correction.
  private static final float LOG_Q1 = (float) -2.12194440e-4;
  private static final float LOG_Q2 = (float) 0.693359375;

  // Cephes sinf/cosf: 4/pi, -pi/4 split in three parts, and the two minimax polynomials.
  private static final float FOPI = (float) 1.27323954473516;
  private static final float MINUS_DP1 = (float) -0.78515625;
  private static final float MINUS_DP2 = (float) -2.4187564849853515625e-4;
  private static final float MINUS_DP3 = (float) -3.77489497744594108e-8;
  private static final float SIN_P0 = (float) -1.9515295891E-4;
  private static final float SIN_P1 = (float) 8.3321608736E-3;
  private static final float SIN_P2 = (float) -1.6666654611E-1;
  private static final float COS_P0 = (float) 2.443315711809948E-005;
  private static final float COS_P1 = (float) -1.388731625493765E-003;
  private static final float COS_P2 = (float) 4.166664568298827E-002;

  private TorchBoxMuller() {}

  /** Transforms {@code d[off .. off + 16)} in place as ATen's AVX2 kernel does. */
  public static void avx2(float[] d, int off) {
    for (int j = 0; j < 8; j++) {
      float u1 = 1f - d[off + j];
      float u2 = d[off + j + 8];
      float radius = (float) Math.sqrt(-2f * cephesLog(u1));
      long sinCos = cephesSinCos(TWO_PI_F * u2);
      float sin = Float.intBitsToFloat((int) (sinCos >>> 32));
      float cos = Float.intBitsToFloat((int) sinCos);
      // _mm256_fmadd_ps(r * cos, std = 1, mean = 0)
      d[off + j] = Math.fma(radius * cos, 1f, 0f);
      d[off + j + 8] = Math.fma(radius * sin, 1f, 0f);
    }
  }

  /** Transforms {@code d[off .. off + 16)} in place as ATen's portable kernel does. */
  public static void portable(float[] d, int off) {
    for (int j = 0; j < 8; j++) {
      float u1 = 1f - d[off + j];
      float u2 = d[off + j + 8];
      float radius = (float) Math.sqrt(-2f * (float) StrictMath.log(u1));
      // 2.0f * c10::pi<double> * u2 is evaluated in double, then stored as float.
      float theta = (float) (2.0 * Math.PI * u2);
      float cos = (float) StrictMath.cos(theta);
      float sin = (float) StrictMath.sin(theta);
      d[off + j] = radius * cos * 1f + 0f;
      d[off + j + 8] = radius * sin * 1f + 0f;
    }
  }

  /** One lane of {@code log256_ps}, for positive normal {@code x} (here x in [2^-24, 1]). */
  static float cephesLog(float x) {
    int bits = Float.floatToRawIntBits(Math.max(x, Float.MIN_NORMAL));
    int exponent = (bits >>> 23) - 0x7f;
    // Mantissa scaled into [0.5, 1).
    float m = Float.intBitsToFloat((bits & ~0x7f800000) | Float.floatToRawIntBits(0.5f));
    float e = (float) exponent + 1f;
    boolean small = m < SQRTHF;
    float tmp = small ? m : 0f;
    m = m - 1f;
    e = e - (small ? 1f : 0f);
    m = m + tmp;
    float z = m * m;
    float y = LOG_P[0];
    for (int k = 1; k < LOG_P.length; k++) {
      y = Math.fma(y, m, LOG_P[k]);
    }
    y = y * m;
    y = Math.fma(y, z, e * LOG_Q1);
    y = Math.fma(-z, 0.5f, y);
    m = m + y;
    return Math.fma(e, LOG_Q2, m);
  }

  /**
   * One lane of {@code sincos256_ps}: the raw float bits of sin in the high 32 bits and of cos in
   * the low 32 bits of the result.
   */
  static long cephesSinCos(float x) {
    int signSin = Float.floatToRawIntBits(x) & 0x80000000;
    x = Math.abs(x);
    // Octant j (made even) and the polynomial / sign selection derived from it.
    int j = (int) (x * FOPI);
    j = (j + 1) & ~1;
    float y = (float) j;
    signSin ^= (j & 4) << 29;
    boolean sinFromSinPoly = (j & 2) == 0;
    int signCos = (~(j - 2) & 4) << 29;

    // Extended-precision reduction x - j*pi/4.
    x = Math.fma(y, MINUS_DP1, x);
    x = Math.fma(y, MINUS_DP2, x);
    x = Math.fma(y, MINUS_DP3, x);

    float z = x * x;
    float c = COS_P0;
    c = Math.fma(c, z, COS_P1);
    c = Math.fma(c, z, COS_P2);
    c = c * z;
    c = Math.fma(c, z, -(z * 0.5f));
    c = c + 1f;

    float s = SIN_P0;
    s = Math.fma(s, z, SIN_P1);
    s = Math.fma(s, z, SIN_P2);
    s = s * z;
    s = Math.fma(s, x, x);

    // Blend as the kernel does: each sum has one operand +0.0.
    float sinPart = sinFromSinPoly ? s : 0f;
    float cosPart = sinFromSinPoly ? 0f : c;
    s = s - sinPart;
    c = c - cosPart;
    float sin = cosPart + sinPart;
    float cos = c + s;
    int sinBits = Float.floatToRawIntBits(sin) ^ signSin;
    int cosBits = Float.floatToRawIntBits(cos) ^ signCos;
    return ((long) sinBits << 32) | (cosBits & 0xffffffffL);
  }
}
