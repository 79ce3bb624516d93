package io.github.ldm4j.queue;

/**
 * A running consumer of a {@link JobQueue}: one thread taking one job at a time, with heartbeats.
 * {@link #close()} stops taking jobs, lets the running one finish for up to a grace period (else
 * stops it without storing anything, so that another worker reclaims it), and unregisters.
 */
public interface QueueWorker extends AutoCloseable {

  /** This worker's id (its consumer name in the group). */
  String id();

  /** Whether it consumes (started and not closed). */
  boolean isRunning();

  /** Jobs whose outcome this worker stored. */
  long completed();

  /** Stops (idempotent). */
  @Override
  void close();
}
