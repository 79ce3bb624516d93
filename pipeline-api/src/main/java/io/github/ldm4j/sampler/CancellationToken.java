package io.github.ldm4j.sampler;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Cooperative cancellation: a generation checks the token between steps and stops with a {@link
 * CancellationException} once it is cancelled. Thread-safe; cancelling is idempotent and the first
 * reason wins. Code that waits for the generation may register {@linkplain #onCancel listeners} to
 * be released at once instead of at the next step.
 */
public final class CancellationToken {

  private final AtomicReference<String> reason = new AtomicReference<>();
  private final List<Runnable> listeners = new ArrayList<>(); // guarded by this

  /** A fresh, not-cancelled token. */
  public CancellationToken() {}

  /** A token that is never cancelled by anyone who does not hold it. */
  public static CancellationToken none() {
    return new CancellationToken();
  }

  /**
   * Requests cancellation. The first call runs the {@linkplain #onCancel listeners} on the calling
   * thread (each once, in registration order); a listener's exception is rethrown after all ran.
   */
  public void cancel(String why) {
    if (!reason.compareAndSet(null, why == null ? "cancelled" : why)) {
      return;
    }
    List<Runnable> toRun;
    synchronized (this) {
      toRun = List.copyOf(listeners);
      listeners.clear();
    }
    RuntimeException failure = null;
    for (Runnable r : toRun) {
      try {
        r.run();
      } catch (RuntimeException e) {
        if (failure == null) {
          failure = e;
        } else {
          failure.addSuppressed(e);
        }
      }
    }
    if (failure != null) {
      throw failure;
    }
  }

  /**
   * Runs {@code listener} once when the token is cancelled: on the cancelling thread, or at once on
   * the calling thread when the token is already cancelled.
   */
  public void onCancel(Runnable listener) {
    Objects.requireNonNull(listener, "listener");
    synchronized (this) {
      if (reason.get() == null) {
        listeners.add(listener);
        return;
      }
    }
    listener.run();
  }

  /** Whether cancellation was requested. */
  public boolean isCancelled() {
    return reason.get() != null;
  }

  /** The reason given to the first {@link #cancel}; empty while not cancelled. */
  public Optional<String> reason() {
    return Optional.ofNullable(reason.get());
  }

  /** Throws {@link CancellationException} with the reason if cancellation was requested. */
  public void throwIfCancelled() {
    String r = reason.get();
    if (r != null) {
      throw new CancellationException(r);
    }
  }
}
