package io.github.ldm4j.checkpoint;

import io.github.ldm4j.tensor.Shape;
import io.github.ldm4j.tensor.Tensor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * Converts the little-endian bytes of a floating-point checkpoint tensor (F64, F32, F16, BF16) to a
 * new float32 {@link Tensor}: the one conversion every {@link StateDict#toFloat} needs.
 *
 * <p>F16 goes through {@link Float#float16ToFloat} (exact: every half is a float), BF16 is the upper
 * half of a float32 (exact), F64 is rounded to nearest (out-of-range values become ±infinity, tiny
 * ones ±0); NaN stays NaN and signed zeros and infinities keep their sign.
 *
 * <p>The loops copy blocks of {@value #BLOCK} elements into heap arrays with bulk {@link
 * MemorySegment#copy} (byte-swapping only on big-endian hosts), convert array to array, which C2
 * vectorises, and copy the floats out in bulk: no per-element boxing or bounds checks on the
 * mapping.
 */
public final class FloatConversion {

  /** Elements per block: 16 KiB of halves, 32 KiB of floats, kept hot in L1/L2. */
  static final int BLOCK = 8192;

  private static final ValueLayout.OfShort HALF_LE = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
  private static final ValueLayout.OfFloat FLOAT_LE = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
  private static final ValueLayout.OfDouble DOUBLE_LE = ValueLayout.JAVA_DOUBLE_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
  private static final ValueLayout.OfFloat FLOAT_NATIVE = ValueLayout.JAVA_FLOAT_UNALIGNED;

  private FloatConversion() {}

  /**
   * Tensor {@code entry} as float32, in new off-heap memory (an automatic arena, like {@link
   * Tensor#zeros}).
   *
   * @param entry the tensor's name, dtype and shape
   * @param data its raw little-endian bytes, exactly {@code entry.byteSize()} of them
   * @throws IllegalArgumentException when the dtype is not floating point, when the tensor has no
   *     element or more than {@link Integer#MAX_VALUE} (a {@link Tensor} holds neither), or when
   *     {@code data} has the wrong size; the message names the tensor
   */
  public static Tensor toFloat(TensorEntry entry, MemorySegment data) {
    DType dtype = entry.dtype();
    if (!dtype.isFloating()) {
      throw new IllegalArgumentException("tensor '" + entry.name() + "' has dtype " + dtype
          + ", which is not floating point: toFloat converts F64, F32, F16 and BF16");
    }
    if (data.byteSize() != entry.byteSize()) {
      throw new IllegalArgumentException("tensor '" + entry.name() + "' (" + dtype + Arrays.toString(entry.shape())
          + ") needs " + entry.byteSize() + " bytes, got " + data.byteSize());
    }
    Tensor out = Tensor.zeros(shapeOf(entry));
    convert(dtype, data, out.segment(), out.size());
    return out;
  }

  /** The {@link Shape} of an entry, or an IllegalArgumentException naming it. */
  private static Shape shapeOf(TensorEntry entry) {
    long[] dims = entry.shape();
    int[] ints = new int[dims.length];
    long elements = 1;
    for (int i = 0; i < dims.length; i++) {
      elements *= dims[i];
      if (dims[i] == 0 || elements > Integer.MAX_VALUE) {
        throw new IllegalArgumentException("tensor '" + entry.name() + "' of shape " + Arrays.toString(dims)
            + (dims[i] == 0 ? " has no element" : " has more than " + Integer.MAX_VALUE + " elements")
            + ": a float Tensor cannot hold it");
      }
      ints[i] = (int) dims[i];
    }
    return new Shape(ints);
  }

  /** Converts {@code n} elements of {@code dtype} at {@code src} to native floats at {@code dst}. */
  static void convert(DType dtype, MemorySegment src, MemorySegment dst, long n) {
    switch (dtype) {
      case F32 -> MemorySegment.copy(src, FLOAT_LE, 0, dst, FLOAT_NATIVE, 0, n);
      case F16 -> halves(src, dst, n, false);
      case BF16 -> halves(src, dst, n, true);
      case F64 -> doubles(src, dst, n);
      default -> throw new IllegalArgumentException(dtype + " is not floating point");
    }
  }

  private static void halves(MemorySegment src, MemorySegment dst, long n, boolean brain) {
    short[] in = new short[(int) Math.min(BLOCK, n)];
    float[] out = new float[in.length];
    for (long start = 0; start < n; start += BLOCK) {
      int m = (int) Math.min(BLOCK, n - start);
      MemorySegment.copy(src, HALF_LE, start * Short.BYTES, in, 0, m);
      if (brain) {
        for (int i = 0; i < m; i++) {
          out[i] = Float.intBitsToFloat(in[i] << 16);
        }
      } else {
        for (int i = 0; i < m; i++) {
          out[i] = Float.float16ToFloat(in[i]);
        }
      }
      MemorySegment.copy(out, 0, dst, FLOAT_NATIVE, start * Float.BYTES, m);
    }
  }

  private static void doubles(MemorySegment src, MemorySegment dst, long n) {
    double[] in = new double[(int) Math.min(BLOCK, n)];
    float[] out = new float[in.length];
    for (long start = 0; start < n; start += BLOCK) {
      int m = (int) Math.min(BLOCK, n - start);
      MemorySegment.copy(src, DOUBLE_LE, start * Double.BYTES, in, 0, m);
      for (int i = 0; i < m; i++) {
        out[i] = (float) in[i];
      }
      MemorySegment.copy(out, 0, dst, FLOAT_NATIVE, start * Float.BYTES, m);
    }
  }
}
