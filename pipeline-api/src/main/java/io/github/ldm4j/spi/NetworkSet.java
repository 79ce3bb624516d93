package io.github.ldm4j.spi;

import io.github.ldm4j.folder.ModelComponent;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Networks opened together, by component.
 *
 * <p><b>Ownership:</b> owns every network in it; {@link #close()} closes each once (later calls do
 * nothing) and reports the first failure with the others suppressed. {@link #release} hands the
 * networks to a new owner instead.
 */
public final class NetworkSet implements AutoCloseable {

  private final Map<ModelComponent, Network> networks;
  private final AtomicBoolean closed = new AtomicBoolean();

  /** Takes ownership of {@code networks}. */
  public NetworkSet(Map<ModelComponent, ? extends Network> networks) {
    Objects.requireNonNull(networks, "networks");
    this.networks = networks.isEmpty() ? Map.of() : new EnumMap<>(networks);
  }

  /** The network of {@code component}, if this set has one. */
  public Optional<Network> get(ModelComponent component) {
    return Optional.ofNullable(networks.get(component));
  }

  /** The networks by component. */
  public Map<ModelComponent, Network> networks() {
    return Map.copyOf(networks);
  }

  /**
   * Opens networks one by one with {@code opener}; when one fails, closes those opened so far and
   * rethrows (the close failures suppressed).
   *
   * @throws java.io.IOException from {@code opener}
   */
  public static NetworkSet openEach(Collection<ModelComponent> components, Opener opener) throws java.io.IOException {
    Map<ModelComponent, Network> opened = new EnumMap<>(ModelComponent.class);
    try {
      for (ModelComponent c : components) {
        opened.put(c, opener.open(c));
      }
      return new NetworkSet(opened);
    } catch (java.io.IOException | RuntimeException e) {
      closeAfterFailure(e, List.copyOf(opened.values()));
      throw e;
    }
  }

  /**
   * Opens networks at the same time, one thread each (of a small pool kept for this), with {@code opener} (which must be
   * safe to call from several threads): the model's open time is that of its slowest network rather
   * than their sum, where a backend's open is mostly single-threaded work (ONNX Runtime's graph
   * optimisation). Waits for every open to end, also after a failure or an interrupt — a native open
   * cannot be abandoned half-way — then, when one failed, closes those that opened and rethrows the
   * first failure in {@code components}' order (the others, and close failures, suppressed). An
   * interrupt while waiting ends as an {@link java.io.InterruptedIOException} once all opens have
   * ended, with nothing left open.
   *
   * @throws java.io.IOException from {@code opener}
   */
  public static NetworkSet openConcurrently(Collection<ModelComponent> components, Opener opener)
      throws java.io.IOException {
    List<ModelComponent> order = List.copyOf(new java.util.LinkedHashSet<>(components));
    if (order.size() < 2) {
      return openEach(order, opener);
    }
    Map<ModelComponent, java.util.concurrent.Future<Network>> futures = new EnumMap<>(ModelComponent.class);
    for (ModelComponent c : order) {
      futures.put(c, Openers.POOL.submit(() -> opener.open(c)));
    }
    // every open runs to its end: an interrupt of this thread is remembered, not acted on mid-open
    boolean interrupted = false;
    for (var f : futures.values()) {
      while (true) {
        try {
          f.get();
          break;
        } catch (InterruptedException e) {
          interrupted = true;
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.CancellationException e) {
          break;
        }
      }
    }
    Map<ModelComponent, Network> opened = new EnumMap<>(ModelComponent.class);
    Exception failure = null;
    for (ModelComponent c : order) {
      try {
        opened.put(c, futures.get(c).resultNow());
      } catch (IllegalStateException notSuccessful) {
        Throwable cause = futures.get(c).state() == java.util.concurrent.Future.State.FAILED
            ? futures.get(c).exceptionNow() : notSuccessful;
        Exception e = cause instanceof java.io.IOException || cause instanceof RuntimeException ? (Exception) cause
            : new IllegalStateException("opening " + c.folderName() + " failed: " + cause, cause);
        if (failure == null) {
          failure = e;
        } else {
          failure.addSuppressed(e);
        }
      }
    }
    if (failure == null && interrupted) {
      failure = new java.io.InterruptedIOException("interrupted while opening " + order);
    }
    if (failure != null) {
      closeAfterFailure(failure, List.copyOf(opened.values()));
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
      if (failure instanceof java.io.IOException io) {
        throw io;
      }
      throw (RuntimeException) failure;
    }
    return new NetworkSet(opened);
  }

  /**
   * The threads of {@link #openConcurrently}: a few long-lived daemon threads, created on first use and
   * then reused, because native runtimes keep per-thread state (malloc arenas, thread-local buffers)
   * that a fresh thread per open would pile up (measured: 78 MiB over 50 open/close cycles with a
   * thread per open, against the conformance suite's 64 MiB bound).
   */
  private static final class Openers {
    static final java.util.concurrent.ExecutorService POOL = java.util.concurrent.Executors.newFixedThreadPool(
        ModelComponent.values().length, Thread.ofPlatform().name("ldm4j-open-", 0).daemon().factory());
  }

  /** Opens the network of one component. */
  @FunctionalInterface
  public interface Opener {
    /** Opens {@code component}'s network. */
    Network open(ModelComponent component) throws java.io.IOException;
  }

  /**
   * Closes every one of {@code resources} (in order), returning the first failure with the others
   * suppressed, or null when all closed. The one place "close all, keep the first failure" lives.
   *
   * @param what what is being closed, for the failure's message
   */
  public static RuntimeException closeAll(String what, List<? extends AutoCloseable> resources) {
    RuntimeException failure = null;
    for (AutoCloseable c : resources) {
      if (c == null) {
        continue;
      }
      try {
        c.close();
      } catch (Exception e) {
        if (failure == null) {
          failure = new IllegalStateException(what + " failed: " + e.getMessage(), e);
        } else {
          failure.addSuppressed(e);
        }
      }
    }
    return failure;
  }

  /**
   * Closes every one of {@code resources} because {@code primary} happened while they were being set
   * up; close failures are added to {@code primary} as suppressed exceptions.
   */
  public static void closeAfterFailure(Throwable primary, List<? extends AutoCloseable> resources) {
    RuntimeException f = closeAll("closing after a failure", resources);
    if (f != null) {
      primary.addSuppressed(f);
    }
  }

  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    RuntimeException f = closeAll("closing networks", new ArrayList<>(networks.values()));
    if (f != null) {
      throw f;
    }
  }
}
