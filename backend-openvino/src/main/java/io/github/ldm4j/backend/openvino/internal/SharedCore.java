package io.github.ldm4j.backend.openvino.internal;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * An {@link OvCore} shared by the networks of one model: reference-counted, freed when the last
 * holder releases it — whichever component of the model is closed last.
 *
 * <p><b>Ownership:</b> the creator holds the first reference and releases it with {@link #close()};
 * each {@link #acquire()} must be matched by one {@link #release()}.
 */
public final class SharedCore implements AutoCloseable {

  private final OvCore core;
  private final AtomicInteger references = new AtomicInteger(1);
  private final AtomicInteger creatorHeld = new AtomicInteger(1);

  /** Takes ownership of {@code core}. */
  public SharedCore(OvCore core) {
    this.core = core;
  }

  /** The core; valid while a reference is held. */
  public OvCore core() {
    return core;
  }

  /** Adds a reference. */
  public SharedCore acquire() {
    if (references.getAndUpdate(n -> n == 0 ? 0 : n + 1) == 0) {
      throw new IllegalStateException("the OpenVINO core has been freed");
    }
    return this;
  }

  /** Drops a reference; the last one frees the core. */
  public void release() {
    if (references.decrementAndGet() == 0) {
      core.close();
    }
  }

  /** Drops the creator's reference (once). */
  @Override
  public void close() {
    if (creatorHeld.getAndSet(0) == 1) {
      release();
    }
  }
}
