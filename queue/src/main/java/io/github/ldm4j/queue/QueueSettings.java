package io.github.ldm4j.queue;

import java.time.Duration;
import java.util.Objects;

/**
 * How the queue behaves; {@link #DEFAULTS} is the one home of its defaults (the Quarkus extension's
 * {@code quarkus.ldm4j.queue.*} and the CLI read them from the {@code DEFAULT_*} constants).
 *
 * @param maxLength jobs a model's stream holds (waiting plus running) before a submission is refused
 *     with {@link QueueException.Full}
 * @param reclaimIdle how long a job may go without a sign of life from its worker before another
 *     worker reclaims it; running workers renew their claim every third of it
 * @param maxDeliveries deliveries after which a job that never finished goes to the dead-letter stream
 * @param resultTtl how long an outcome (and a job's progress stream) stays in the queue after it ended
 * @param heartbeat how often a worker says it is alive; it counts as gone after three missed beats
 */
public record QueueSettings(int maxLength, Duration reclaimIdle, int maxDeliveries, Duration resultTtl,
    Duration heartbeat) {

  /** Default {@link #maxLength}. */
  public static final String DEFAULT_MAX_LENGTH = "64";

  /** Default {@link #reclaimIdle} (at most 60 s, well inside the default request timeout). */
  public static final String DEFAULT_RECLAIM_IDLE = "30S";

  /** Default {@link #maxDeliveries}. */
  public static final String DEFAULT_MAX_DELIVERIES = "3";

  /** Default {@link #resultTtl}. */
  public static final String DEFAULT_RESULT_TTL = "10M";

  /** Default {@link #heartbeat}. */
  public static final String DEFAULT_HEARTBEAT = "2S";

  /** The {@code DEFAULT_*} constants parsed. */
  public static final QueueSettings DEFAULTS = new QueueSettings(Integer.parseInt(DEFAULT_MAX_LENGTH),
      Duration.parse("PT" + DEFAULT_RECLAIM_IDLE), Integer.parseInt(DEFAULT_MAX_DELIVERIES),
      Duration.parse("PT" + DEFAULT_RESULT_TTL), Duration.parse("PT" + DEFAULT_HEARTBEAT));

  /** Validates. */
  public QueueSettings {
    if (maxLength < 1) {
      throw new IllegalArgumentException("queue max length must be >= 1, got " + maxLength);
    }
    requirePositive("reclaim idle timeout", reclaimIdle);
    if (maxDeliveries < 1) {
      throw new IllegalArgumentException("queue max deliveries must be >= 1, got " + maxDeliveries);
    }
    requirePositive("result TTL", resultTtl);
    requirePositive("heartbeat interval", heartbeat);
    if (reclaimIdle.compareTo(Duration.ofMillis(300)) < 0) {
      throw new IllegalArgumentException("reclaim idle timeout must be >= 300ms (workers renew every third), got "
          + reclaimIdle);
    }
  }

  private static void requirePositive(String what, Duration d) {
    Objects.requireNonNull(d, what);
    if (d.isNegative() || d.isZero()) {
      throw new IllegalArgumentException(what + " must be positive, got " + d);
    }
  }

  /** These settings with another {@link #maxLength}. */
  public QueueSettings withMaxLength(int n) {
    return new QueueSettings(n, reclaimIdle, maxDeliveries, resultTtl, heartbeat);
  }

  /** These settings with another {@link #reclaimIdle}. */
  public QueueSettings withReclaimIdle(Duration d) {
    return new QueueSettings(maxLength, d, maxDeliveries, resultTtl, heartbeat);
  }

  /** These settings with another {@link #maxDeliveries}. */
  public QueueSettings withMaxDeliveries(int n) {
    return new QueueSettings(maxLength, reclaimIdle, n, resultTtl, heartbeat);
  }

  /** These settings with another {@link #heartbeat}. */
  public QueueSettings withHeartbeat(Duration d) {
    return new QueueSettings(maxLength, reclaimIdle, maxDeliveries, resultTtl, d);
  }
}
