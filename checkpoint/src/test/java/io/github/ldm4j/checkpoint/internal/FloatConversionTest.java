package io.github.ldm4j.checkpoint.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.ldm4j.checkpoint.DType;
import io.github.ldm4j.tensor.Tensor;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;

class FloatConversionTest {

  @Test
  void halfPrecisionSpecialValues() {
    assertThat(FloatConversion.halfToFloat((short) 0x3c00)).isEqualTo(1f);
    assertThat(FloatConversion.halfToFloat((short) 0x7bff)).isEqualTo(65504f);
    assertThat(FloatConversion.halfToFloat((short) 0x0001)).isEqualTo(5.9604645e-8f); // smallest subnormal
    assertThat(FloatConversion.halfToFloat((short) 0x8000)).isEqualTo(-0f);
    assertThat(FloatConversion.halfToFloat((short) 0x7c00)).isEqualTo(Float.POSITIVE_INFINITY);
    assertThat(FloatConversion.halfToFloat((short) 0x7e00)).isNaN();
  }

  @Test
  void bfloat16IsTheUpperHalfOfAFloat() {
    assertThat(FloatConversion.bfloat16ToFloat((short) 0x3f80)).isEqualTo(1f);
    assertThat(FloatConversion.bfloat16ToFloat((short) 0xc049)).isEqualTo(-3.140625f);
    assertThat(FloatConversion.bfloat16ToFloat((short) 0x7f80)).isEqualTo(Float.POSITIVE_INFINITY);
    assertThat(FloatConversion.bfloat16ToFloat((short) 0x0001)).isEqualTo(Float.intBitsToFloat(0x10000));
  }

  @Test
  void tensorsOfEveryFloatingType() {
    ByteBuffer f64 = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putDouble(0.1).putDouble(-2);
    assertThat(FloatConversion.toTensor("a", DType.F64, new long[] {2}, MemorySegment.ofArray(f64.array())).toArray())
        .containsExactly(0.1f, -2f);
    ByteBuffer f32 = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putFloat(1.5f).putFloat(-0.25f);
    Tensor t = FloatConversion.toTensor("b", DType.F32, new long[] {1, 2}, MemorySegment.ofArray(f32.array()));
    assertThat(t.toArray()).containsExactly(1.5f, -0.25f);
    assertThat(t.shape().dims()).containsExactly(1, 2);
    byte[] f16 = {0x00, 0x3c, 0x00, (byte) 0xc1};
    assertThat(FloatConversion.toTensor("c", DType.F16, new long[] {2}, MemorySegment.ofArray(f16)).toArray()).containsExactly(1f, -2.5f);
    byte[] bf16 = {(byte) 0x80, 0x3f};
    assertThat(FloatConversion.toTensor("d", DType.BF16, new long[0], MemorySegment.ofArray(bf16)).toArray()).containsExactly(1f);
  }

  @Test
  void refusals() {
    MemorySegment four = MemorySegment.ofArray(new byte[4]);
    assertThatThrownBy(() -> FloatConversion.toTensor("i", DType.I32, new long[] {1}, four)).hasMessageContaining("not floating point");
    assertThatThrownBy(() -> FloatConversion.toTensor("e", DType.F32, new long[] {0}, four)).hasMessageContaining("is empty");
    assertThatThrownBy(() -> FloatConversion.toTensor("h", DType.F32, new long[] {1 << 20, 1 << 12}, four))
        .hasMessageContaining("more than");
    assertThatThrownBy(() -> FloatConversion.toTensor("s", DType.F32, new long[] {2}, four)).hasMessageContaining("too small");
  }
}
