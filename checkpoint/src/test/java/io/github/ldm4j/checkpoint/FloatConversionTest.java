package io.github.ldm4j.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.ldm4j.tensor.Shape;
import io.github.ldm4j.tensor.Tensor;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The block-wise conversions against independent per-element definitions, across block boundaries. */
class FloatConversionTest {

  private static final ValueLayout.OfShort HALF_LE = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

  /** IEEE binary16 from its definition, not from Float.float16ToFloat. */
  private static float halfByDefinition(int bits) {
    int sign = (bits >> 15) & 1;
    int exponent = (bits >> 10) & 0x1F;
    int mantissa = bits & 0x3FF;
    double magnitude;
    if (exponent == 0x1F) {
      magnitude = mantissa == 0 ? Double.POSITIVE_INFINITY : Double.NaN;
    } else if (exponent == 0) {
      magnitude = mantissa * Math.pow(2, -24);
    } else {
      magnitude = (1 + mantissa / 1024.0) * Math.pow(2, exponent - 15);
    }
    return (float) (sign == 1 ? -magnitude : magnitude);
  }

  /** All 65,536 halves, in one tensor longer than several blocks, unaligned in memory. */
  private static MemorySegment everyHalf() {
    int n = 65536;
    MemorySegment src = Arena.ofAuto().allocate(2L * n + 1).asSlice(1); // odd address: unaligned reads
    for (int i = 0; i < n; i++) {
      src.setAtIndex(HALF_LE, i, (short) i);
    }
    return src;
  }

  @Test
  void everyHalfConvertsAsDefined() {
    Tensor t = FloatConversion.toFloat(new TensorEntry("h", DType.F16, new long[] {256, 256}), everyHalf());
    assertThat(t.shape()).isEqualTo(Shape.of(256, 256));
    for (int bits = 0; bits < 65536; bits++) {
      float expected = halfByDefinition(bits);
      float actual = t.get(bits);
      if (Float.isNaN(expected)) {
        assertThat(actual).as("half 0x%04x", bits).isNaN();
      } else {
        assertThat(Float.floatToRawIntBits(actual)).as("half 0x%04x", bits).isEqualTo(Float.floatToRawIntBits(expected));
      }
    }
  }

  @Test
  void everyBrainFloatIsTheUpperHalfOfAFloat() {
    Tensor t = FloatConversion.toFloat(new TensorEntry("b", DType.BF16, new long[] {65536}), everyHalf());
    for (int bits = 0; bits < 65536; bits++) {
      assertThat(Float.floatToRawIntBits(t.get(bits))).as("bf16 0x%04x", bits).isEqualTo(bits << 16);
    }
  }

  @Test
  void doublesRoundToNearestAcrossBlocks() {
    int n = 3 * FloatConversion.BLOCK + 5;
    Random random = new Random(7);
    double[] values = new double[n];
    MemorySegment src = Arena.ofAuto().allocate(8L * n);
    for (int i = 0; i < n; i++) {
      values[i] = random.nextGaussian() * Math.pow(10, random.nextInt(80) - 40);
      src.setAtIndex(ValueLayout.JAVA_DOUBLE_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), i, values[i]);
    }
    Tensor t = FloatConversion.toFloat(new TensorEntry("d", DType.F64, new long[] {n}), src);
    for (int i = 0; i < n; i++) {
      assertThat(t.get(i)).isEqualTo((float) values[i]);
    }
  }

  @Test
  void floatsAreCopied() {
    MemorySegment src = Arena.ofAuto().allocate(12);
    src.setAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 2, 7.5f);
    Tensor t = FloatConversion.toFloat(new TensorEntry("f", DType.F32, new long[] {3}), src);
    assertThat(t.toArray()).containsExactly(0f, 0f, 7.5f);
    assertThat(t.segment().address()).isNotEqualTo(src.address());
  }

  @Test
  @SuppressWarnings("restricted") // a 4 GiB view of nothing: only its size is looked at
  void refusesWrongSizesNamingTheTensor() {
    assertThatThrownBy(() -> FloatConversion.toFloat(new TensorEntry("w", DType.F16, new long[] {3}), Arena.ofAuto().allocate(4)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("tensor 'w' (F16[3]) needs 6 bytes, got 4");
    assertThatThrownBy(() -> FloatConversion.toFloat(
            new TensorEntry("huge", DType.BF16, new long[] {1L << 31}), MemorySegment.NULL.reinterpret(1L << 32)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'huge' of shape [2147483648] has more than 2147483647 elements");
  }
}
