package io.github.ldm4j.backend.openvino.internal;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/**
 * An {@code ov_tensor_t}: OpenVINO-allocated memory ({@link #allocate}) or a view of memory the
 * caller owns ({@link #wrap}, zero-copy).
 *
 * <p><b>Ownership:</b> owns the tensor object; {@link #close()} calls {@code ov_tensor_free} once.
 * A wrapped tensor never owns the memory it views: the caller keeps that memory valid while
 * OpenVINO may read or write it (until the inference using it ends).
 */
@SuppressWarnings("restricted")
public final class OvTensor extends NativeHandle {

  private final MemorySegment hostMemory;

  OvTensor(OvApi api, MemorySegment tensor, MemorySegment hostMemory) {
    super(api, tensor, "ov_tensor_t");
    this.hostMemory = hostMemory;
  }

  @Override
  protected void free(MemorySegment handle) {
    api.tensorFree(handle);
  }

  /** {@code ov_tensor_create}: OpenVINO allocates {@code shape} elements of {@code type}. */
  public static OvTensor allocate(OvApi api, OvElementType type, long[] shape) {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment out = outPointer(arena);
      api.tensorCreate(type.code(), PartialShape.writeShape(shape, arena), out);
      return new OvTensor(api, out.get(ADDRESS, 0), MemorySegment.NULL);
    }
  }

  /**
   * {@code ov_tensor_create_from_host_ptr}: a tensor over {@code memory}, not copied.
   *
   * @throws IllegalArgumentException when {@code memory} is smaller than the shape needs or not native
   */
  public static OvTensor wrap(OvApi api, OvElementType type, long[] shape, MemorySegment memory) {
    long need = byteSize(type, shape);
    if (!memory.isNative() || memory.byteSize() < need) {
      throw new IllegalArgumentException("a " + type + Arrays.toString(shape) + " tensor needs " + need
          + " bytes of native memory, got " + memory.byteSize() + (memory.isNative() ? "" : " on-heap"));
    }
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment out = outPointer(arena);
      api.tensorCreateFromHostPtr(type.code(), PartialShape.writeShape(shape, arena), memory, out);
      return new OvTensor(api, out.get(ADDRESS, 0), memory);
    }
  }

  /** Bytes of a dense tensor. */
  public static long byteSize(OvElementType type, long[] shape) {
    if (type.byteSize() == 0) {
      throw new IllegalArgumentException("ldm4j does not exchange " + type + " tensors");
    }
    long n = 1;
    for (long d : shape) {
      n = Math.multiplyExact(n, d);
    }
    return n * type.byteSize();
  }

  /** {@code ov_tensor_get_shape}. */
  public long[] shape() {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment s = arena.allocate(OvLayouts.SHAPE);
      api.tensorGetShape(handle(), s);
      try {
        return PartialShape.readShape(s);
      } finally {
        api.shapeFree(s);
      }
    }
  }

  /** {@code ov_tensor_get_element_type}. */
  public OvElementType elementType() {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment t = arena.allocate(JAVA_INT);
      api.tensorGetElementType(handle(), t);
      return OvElementType.fromCode(t.get(JAVA_INT, 0));
    }
  }

  /**
   * {@code ov_tensor_data}: the tensor's memory, sized from its shape and type. Valid while this
   * tensor (or, for a wrapped tensor, the caller's memory) lives.
   */
  public MemorySegment data() {
    long bytes = byteSize(elementType(), shape());
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment out = outPointer(arena);
      api.tensorData(handle(), out);
      MemorySegment p = out.get(ADDRESS, 0);
      if (p.equals(MemorySegment.NULL) && bytes > 0) {
        throw new IllegalStateException("ov_tensor_data returned NULL for a tensor of " + bytes + " bytes");
      }
      return p.reinterpret(bytes);
    }
  }

  /** The caller's memory this tensor views ({@link #wrap}), NULL for OpenVINO-allocated tensors. */
  public MemorySegment hostMemory() {
    return hostMemory;
  }
}
