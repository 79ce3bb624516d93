package io.github.ldm4j.random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.offset;

import io.github.ldm4j.tensor.Tensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.zip.CRC32;

/** Float comparisons for generator tests. */
final class Floats {

  private Floats() {}

  /** Distance in units in the last place between two finite floats of any sign. */
  static long ulps(float a, float b) {
    return Math.abs(ordered(a) - ordered(b));
  }

  private static long ordered(float f) {
    int bits = Float.floatToRawIntBits(f);
    return bits < 0 ? (long) Integer.MIN_VALUE - bits : bits;
  }

  /** Each value equals the expected float (given as the double torch/numpy printed) within maxUlps. */
  static void assertWithinUlps(float[] actual, double[] expected, int maxUlps) {
    assertThat(actual).as("element count").hasSize(expected.length);
    for (int i = 0; i < expected.length; i++) {
      float want = (float) expected[i];
      assertThat(ulps(actual[i], want))
          .as("element %d: got %s, expected %s", i, actual[i], want)
          .isLessThanOrEqualTo(maxUlps);
    }
  }

  /**
   * Each value is within {@code n} ulps of max(|expected|, 1): the error scale of a Box–Muller
   * value r·cos θ whose ln, sin and cos are evaluated with float32 rounding.
   */
  static void assertWithinScaledUlps(float[] actual, double[] expected, int n) {
    assertThat(actual).as("element count").hasSize(expected.length);
    for (int i = 0; i < expected.length; i++) {
      float want = (float) expected[i];
      double tol = n * (double) Math.ulp(Math.max(Math.abs(want), 1f));
      assertThat((double) actual[i]).as("element %d", i).isCloseTo(want, offset(tol));
    }
  }

  /** Each value equals the expected float exactly (the expected doubles are float32 values). */
  static void assertExact(float[] actual, double[] expected) {
    assertWithinUlps(actual, expected, 0);
  }

  /** Each value is within {@code tol} of the expected one. */
  static void assertClose(float[] actual, double[] expected, double tol) {
    for (int i = 0; i < expected.length; i++) {
      assertThat((double) actual[i]).as("element %d", i).isCloseTo(expected[i], offset(tol));
    }
  }

  /** The first {@code n} elements. */
  static float[] head(Tensor t, int n) {
    float[] out = new float[n];
    for (int i = 0; i < n; i++) {
      out[i] = t.get(i);
    }
    return out;
  }

  /** The last {@code n} elements. */
  static float[] tail(Tensor t, int n) {
    float[] out = new float[n];
    for (int i = 0; i < n; i++) {
      out[i] = t.get(t.size() - n + i);
    }
    return out;
  }

  /** CRC-32 of the elements as little-endian float32 bytes (the layout of a .numpy().tofile()). */
  static long crc32(Tensor t) {
    ByteBuffer buf = ByteBuffer.allocate(t.size() * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
    buf.asFloatBuffer().put(t.toArray());
    CRC32 crc = new CRC32();
    crc.update(buf);
    return crc.getValue();
  }
}
