package io.github.ldm4j.backend.openvino.internal;

import static java.lang.foreign.ValueLayout.ADDRESS;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One native OpenVINO object owned by exactly one Java object: {@link #close()} calls the matching
 * {@code *_free} exactly once (later calls do nothing); using the handle after close throws {@link
 * IllegalStateException}. Closing while another thread uses the object is the caller's error, as in
 * C; the owners in this module guard against it with locks.
 */
public abstract class NativeHandle implements AutoCloseable {

  /** The binding. */
  protected final OvApi api;
  private final String kind;
  private final AtomicReference<MemorySegment> address;

  /**
   * Takes ownership of {@code address}.
   *
   * @param kind the C type, for messages ({@code ov_core_t})
   */
  protected NativeHandle(OvApi api, MemorySegment address, String kind) {
    if (address == null || address.equals(MemorySegment.NULL)) {
      throw new IllegalStateException(kind + ": the OpenVINO call reported OK but returned a NULL handle");
    }
    this.api = api;
    this.kind = kind;
    this.address = new AtomicReference<>(address);
  }

  /** The native pointer; throws when closed. */
  protected final MemorySegment handle() {
    MemorySegment a = address.get();
    if (a == null) {
      throw new IllegalStateException(kind + " has been freed");
    }
    return a;
  }

  /** Whether {@link #close()} has been called. */
  public final boolean isClosed() {
    return address.get() == null;
  }

  /** Calls the type's {@code *_free} with {@code handle}. */
  protected abstract void free(MemorySegment handle);

  @Override
  public final void close() {
    MemorySegment a = address.getAndSet(null);
    if (a != null) {
      free(a);
    }
  }

  /** A pointer-sized out-parameter in {@code arena}, NULL-initialised. */
  static MemorySegment outPointer(Arena arena) {
    MemorySegment out = arena.allocate(ADDRESS);
    out.set(ADDRESS, 0, MemorySegment.NULL);
    return out;
  }

  /** {@code ov_*_inputs_size}/{@code ov_*_outputs_size}: (handle, size_t* out). */
  @FunctionalInterface
  interface SizeCall {
    void call(MemorySegment handle, MemorySegment out);
  }

  /** {@code ov_*_input_by_index}/{@code ov_*_output_by_index}: (handle, index, ov_output_port_t** out). */
  @FunctionalInterface
  interface PortCall {
    void call(MemorySegment handle, long index, MemorySegment out);
  }

  /**
   * The ports of this handle, in order: asks for their count with {@code size}, then each port with
   * {@code byIndex}, reading (and freeing) each one.
   */
  protected final java.util.List<OvPortInfo> ports(SizeCall size, PortCall byIndex) {
    java.util.List<OvPortInfo> out = new java.util.ArrayList<>();
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment n = arena.allocate(java.lang.foreign.ValueLayout.JAVA_LONG);
      size.call(handle(), n);
      long count = n.get(java.lang.foreign.ValueLayout.JAVA_LONG, 0);
      for (int i = 0; i < count; i++) {
        MemorySegment port = outPointer(arena);
        byIndex.call(handle(), i, port);
        out.add(OvPortInfo.readAndFree(api, i, port.get(ADDRESS, 0)));
      }
    }
    return java.util.List.copyOf(out);
  }

  @Override
  public String toString() {
    MemorySegment a = address.get();
    return kind + (a == null ? "[freed]" : "@0x" + Long.toHexString(a.address()));
  }
}
