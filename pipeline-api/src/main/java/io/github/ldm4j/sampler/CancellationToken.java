package io.github.ldm4j.sampler;

import java.util.concurrent.CancellationException;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Cooperative cancellation: a generation checks the token between steps and stops with a {@link
 * CancellationException} once it is cancelled. Thread-safe; cancelling is idempotent and the first
 * reason wins.
 */
public final class CancellationToken {

  private final AtomicReference<String> reason = new AtomicReference<>();

  /** A fresh, not-cancelled token. */
  public CancellationToken() {}

  /** A token that is never cancelled by anyone who does not hold it. */
  public static CancellationToken none() {
    return new CancellationToken();
  }

  /** Requests cancellation. */
  public void cancel(String why) {
    reason.compareAndSet(null, why == null ? "cancelled" : why);
  }

  /** Whether cancellation was requested. */
  public boolean isCancelled() {
    return reason.get() != null;
  }

  /** Throws {@link CancellationException} with the reason if cancellation was requested. */
  public void throwIfCancelled() {
    String r = reason.get();
    if (r != null) {
      throw new CancellationException(r);
    }
  }
}
