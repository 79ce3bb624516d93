package io.github.ldm4j.checkpoint.internal;

import io.github.ldm4j.checkpoint.DType;
import io.github.ldm4j.tensor.Shape;
import io.github.ldm4j.tensor.Tensor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * Conversion of a checkpoint's little-endian floating-point data (F64, F32, F16, BF16) to the
 * float32 {@link Tensor}s of the pipeline. Shared by the checkpoint readers; not API.
 */
public final class FloatConversion {

  private static final ValueLayout.OfDouble F64 = ValueLayout.JAVA_DOUBLE_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
  private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
  private static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
  private static final ValueLayout.OfFloat OUT = ValueLayout.JAVA_FLOAT_UNALIGNED;

  private FloatConversion() {}

  /** An IEEE binary16 value, as bits, widened exactly to float32. */
  public static float halfToFloat(short bits) {
    return Float.float16ToFloat(bits);
  }

  /** A bfloat16 value, as bits, widened exactly to float32 (it is a float32's upper half). */
  public static float bfloat16ToFloat(short bits) {
    return Float.intBitsToFloat((bits & 0xFFFF) << 16);
  }

  /**
   * Converts {@code count} little-endian elements of {@code dtype} read from {@code src} into
   * float32 values written to {@code dst} in native order (F64 rounds to nearest).
   *
   * @throws IllegalArgumentException for a non-floating dtype or segments too small
   */
  public static void toFloat32(MemorySegment src, DType dtype, MemorySegment dst, long count) {
    if (!dtype.isFloating()) {
      throw new IllegalArgumentException(dtype + " is not a floating-point type");
    }
    if (src.byteSize() < count * dtype.bytes() || dst.byteSize() < count * Float.BYTES) {
      throw new IllegalArgumentException("segments too small for " + count + " elements of " + dtype);
    }
    switch (dtype) {
      case F32 -> {
        if (ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN) {
          MemorySegment.copy(src, 0, dst, 0, count * Float.BYTES);
        } else {
          for (long i = 0; i < count; i++) {
            dst.setAtIndex(OUT, i, src.getAtIndex(F32, i));
          }
        }
      }
      case F64 -> {
        for (long i = 0; i < count; i++) {
          dst.setAtIndex(OUT, i, (float) src.getAtIndex(F64, i));
        }
      }
      case F16 -> {
        for (long i = 0; i < count; i++) {
          dst.setAtIndex(OUT, i, halfToFloat(src.getAtIndex(U16, i)));
        }
      }
      case BF16 -> {
        for (long i = 0; i < count; i++) {
          dst.setAtIndex(OUT, i, bfloat16ToFloat(src.getAtIndex(U16, i)));
        }
      }
      default -> throw new IllegalArgumentException(dtype + " is not a floating-point type");
    }
  }

  /**
   * A new float32 tensor holding tensor {@code name}'s data converted.
   *
   * @param name for messages
   * @param dtype the element type of {@code src}
   * @param shape the dimensions ({@code []} for a 0-d tensor)
   * @param src the little-endian data
   * @throws IllegalArgumentException for a non-floating dtype, an empty tensor (a {@link Shape} has
   *     no zero dimension) or one of more than {@code Integer.MAX_VALUE} elements
   */
  public static Tensor toTensor(String name, DType dtype, long[] shape, MemorySegment src) {
    if (!dtype.isFloating()) {
      throw new IllegalArgumentException("tensor '" + name + "' is " + dtype + ", not floating point: read it with data()");
    }
    int[] dims = new int[shape.length];
    long n = 1;
    for (int i = 0; i < shape.length; i++) {
      if (shape[i] < 1) {
        throw new IllegalArgumentException("tensor '" + name + "' of shape " + Arrays.toString(shape) + " is empty");
      }
      n *= shape[i];
      if (n > Integer.MAX_VALUE) {
        throw new IllegalArgumentException("tensor '" + name + "' of shape " + Arrays.toString(shape)
            + " has more than " + Integer.MAX_VALUE + " elements");
      }
      dims[i] = (int) shape[i];
    }
    Tensor t = Tensor.zeros(Shape.of(dims));
    toFloat32(src, dtype, t.segment(), n);
    return t;
  }
}
