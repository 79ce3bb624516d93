package io.github.ldm4j.queue;

/**
 * Why a job submitted to a {@link JobQueue} did not produce images (a cancellation is a {@link
 * java.util.concurrent.CancellationException} instead, as for a local generation).
 */
public abstract sealed class QueueException extends RuntimeException {

  QueueException(String message, Throwable cause) {
    super(message, cause);
  }

  /** The model's stream is full: retry after {@link #retryAfterSeconds()}. */
  public static final class Full extends QueueException {
    private final long depth;
    private final long retryAfterSeconds;

    /** A full queue of {@code depth} jobs. */
    public Full(String message, long depth, long retryAfterSeconds) {
      super(message, null);
      this.depth = depth;
      this.retryAfterSeconds = retryAfterSeconds;
    }

    /** Jobs waiting or running for the model. */
    public long depth() {
      return depth;
    }

    /** Seconds after which a retry may find room, from the depth and the measured throughput. */
    public long retryAfterSeconds() {
      return retryAfterSeconds;
    }
  }

  /** The broker cannot be reached (a submission is refused; the queue recovers when it returns). */
  public static final class Unavailable extends QueueException {
    /** Unavailable, because of {@code cause}. */
    public Unavailable(String message, Throwable cause) {
      super(message, cause);
    }
  }

  /** No live worker serves the job's model. */
  public static final class NoWorker extends QueueException {
    /** No worker for the model. */
    public NoWorker(String message) {
      super(message, null);
    }
  }

  /** The job ran over its timeout (its cancel flag is set). */
  public static final class Timeout extends QueueException {
    /** Timed out. */
    public Timeout(String message) {
      super(message, null);
    }
  }

  /** The worker refused or failed the job; {@link #kind()} says how. */
  public static final class Failed extends QueueException {
    private final Kind kind;

    /** A failure of {@code kind}. */
    public Failed(Kind kind, String message) {
      super(message, null);
      this.kind = kind;
    }

    /** How the job failed. */
    public Kind kind() {
      return kind;
    }

    /** How a job failed. */
    public enum Kind {
      /** The request is outside what the model's networks can run (HTTP 400). */
      INVALID,
      /** The generator refused the request while running (HTTP 422). */
      UNPROCESSABLE,
      /** The worker failed (HTTP 500). */
      FAILED,
      /** Delivered too often without finishing; it is in the dead-letter stream (HTTP 500). */
      DEAD_LETTER
    }
  }
}
