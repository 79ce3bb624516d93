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

  @Override
  public String toString() {
    MemorySegment a = address.get();
    return kind + (a == null ? "[freed]" : "@0x" + Long.toHexString(a.address()));
  }
}
