package io.github.ldm4j.checkpoint.sd;

import io.github.ldm4j.checkpoint.DType;
import io.github.ldm4j.checkpoint.StateDict;
import io.github.ldm4j.checkpoint.TensorEntry;
import io.github.ldm4j.tensor.Shape;
import io.github.ldm4j.tensor.Tensor;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A state dict in memory, for tests of what reads state dicts (the file readers have their own
 * tests): float32 tensors stored little-endian, or float16 when asked.
 */
final class MemoryStateDict implements StateDict {

  private final Arena arena = Arena.ofConfined();
  private final Map<String, TensorEntry> entries = new LinkedHashMap<>();
  private final Map<String, MemorySegment> data = new LinkedHashMap<>();

  /** Adds {@code values} as {@code name} of {@code shape}, stored as {@code type} (F32 or F16). */
  MemoryStateDict put(String name, long[] shape, float[] values, DType type) {
    TensorEntry e = new TensorEntry(name, type, shape);
    if (e.elements() != values.length) {
      throw new IllegalArgumentException(name + ": " + values.length + " values for " + e);
    }
    MemorySegment s = arena.allocate(e.byteSize());
    for (int i = 0; i < values.length; i++) {
      switch (type) {
        case F32 -> s.setAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), i, values[i]);
        case F16 -> s.setAtIndex(ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), i,
            Float.floatToFloat16(values[i]));
        default -> throw new IllegalArgumentException("test dict stores F32 or F16, not " + type);
      }
    }
    entries.put(name, e);
    data.put(name, s);
    return this;
  }

  /** Adds a tensor without data checks (a buffer the graphs do not read). */
  MemoryStateDict putLongs(String name, long[] shape) {
    TensorEntry e = new TensorEntry(name, DType.I64, shape);
    entries.put(name, e);
    data.put(name, arena.allocate(e.byteSize()));
    return this;
  }

  @Override
  public Path file() {
    return Path.of("memory.safetensors");
  }

  @Override
  public Map<String, TensorEntry> entries() {
    return entries;
  }

  @Override
  public Map<String, String> metadata() {
    return Map.of();
  }

  @Override
  public MemorySegment data(String name) {
    MemorySegment s = data.get(name);
    if (s == null) {
      throw new IllegalArgumentException("no tensor " + name);
    }
    return s.asReadOnly();
  }

  @Override
  public Tensor toFloat(String name) {
    TensorEntry e = entries.get(name);
    long[] shape = e.shape();
    int[] dims = new int[shape.length];
    for (int i = 0; i < dims.length; i++) {
      dims[i] = (int) shape[i];
    }
    Tensor t = Tensor.zeros(Shape.of(dims));
    MemorySegment s = data.get(name);
    for (int i = 0; i < t.size(); i++) {
      t.set(i, e.dtype() == DType.F16
          ? Float.float16ToFloat(s.getAtIndex(ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), i))
          : s.getAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), i));
    }
    return t;
  }

  @Override
  public void close() {
    if (arena.scope().isAlive()) {
      arena.close();
    }
  }
}
