package io.github.ldm4j.backend.openvino.internal;

import io.github.ldm4j.spi.Feed;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import io.github.ldm4j.tensor.Shape;
import io.github.ldm4j.tensor.Tensor;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/**
 * Conversions between ldm4j values and OpenVINO tensors at the native boundary. F32 inputs are
 * wrapped without copying ({@code ov_tensor_create_from_host_ptr} on the tensor's off-heap memory);
 * F16 and integer inputs are written into memory from the call's arena. Every returned {@link
 * OvTensor} is owned by the caller.
 */
public final class OvTensors {

  private OvTensors() {}

  /**
   * {@code feed} as a tensor of {@code type}, memory from {@code arena} unless zero-copy.
   *
   * @throws IllegalArgumentException when the feed cannot be given as {@code type}
   */
  public static OvTensor of(OvApi api, Feed feed, OvElementType type, Arena arena, String what) {
    long[] shape = feed.shape();
    return switch (feed) {
      case Feed.Floats f when type == OvElementType.F32 -> OvTensor.wrap(api, type, shape, f.tensor().segment());
      case Feed.Floats f when type == OvElementType.F16 -> OvTensor.wrap(api, type, shape, halves(f.tensor().toArray(), arena));
      case Feed.FloatValues f when type == OvElementType.F32 -> OvTensor.wrap(api, type, shape, arena.allocateFrom(JAVA_FLOAT, f.values()));
      case Feed.FloatValues f when type == OvElementType.F16 -> OvTensor.wrap(api, type, shape, halves(f.values(), arena));
      case Feed.Ints f when type == OvElementType.I32 -> OvTensor.wrap(api, type, shape, ints(f.rows(), arena));
      case Feed.Ints f when type == OvElementType.I64 -> OvTensor.wrap(api, type, shape, longs(f.rows(), arena));
      case Feed.Longs f when type == OvElementType.I64 -> OvTensor.wrap(api, type, shape, arena.allocateFrom(JAVA_LONG, f.values()));
      default -> throw new IllegalArgumentException(what + ": cannot feed " + feed.getClass().getSimpleName() + " as " + type);
    };
  }

  private static MemorySegment halves(float[] v, Arena arena) {
    MemorySegment m = arena.allocate(JAVA_SHORT, Math.max(1, v.length));
    for (int i = 0; i < v.length; i++) {
      m.setAtIndex(JAVA_SHORT, i, Float.floatToFloat16(v[i]));
    }
    return m;
  }

  private static MemorySegment ints(int[][] rows, Arena arena) {
    int l = rows[0].length;
    MemorySegment m = arena.allocate(JAVA_INT, Math.max(1, (long) rows.length * l));
    for (int r = 0; r < rows.length; r++) {
      MemorySegment.copy(rows[r], 0, m, JAVA_INT, (long) r * l * 4, l);
    }
    return m;
  }

  private static MemorySegment longs(int[][] rows, Arena arena) {
    int l = rows[0].length;
    MemorySegment m = arena.allocate(JAVA_LONG, Math.max(1, (long) rows.length * l));
    for (int r = 0; r < rows.length; r++) {
      for (int i = 0; i < l; i++) {
        m.setAtIndex(JAVA_LONG, (long) r * l + i, rows[r][i]);
      }
    }
    return m;
  }

  /** Copies an F32 or F16 tensor into a new ldm4j tensor. */
  public static Tensor read(OvTensor t, String what) {
    long[] s = t.shape();
    OvElementType type = t.elementType();
    int[] dims = new int[s.length];
    for (int i = 0; i < s.length; i++) {
      dims[i] = Math.toIntExact(s[i]);
    }
    Tensor out = Tensor.zeros(Shape.of(dims));
    MemorySegment data = t.data();
    switch (type) {
      case F32 -> MemorySegment.copy(data, 0, out.segment(), 0, (long) out.size() * 4);
      case F16 -> {
        for (int i = 0; i < out.size(); i++) {
          out.set(i, Float.float16ToFloat(data.getAtIndex(JAVA_SHORT, i)));
        }
      }
      default -> throw new IllegalStateException(what + " is " + type + Arrays.toString(s) + ", expected f32 or f16");
    }
    return out;
  }
}
