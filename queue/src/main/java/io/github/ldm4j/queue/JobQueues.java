package io.github.ldm4j.queue;

import io.github.ldm4j.queue.internal.RedisJobQueue;

/** Opens the {@link JobQueue} binding of an address. */
public final class JobQueues {

  private JobQueues() {}

  /**
   * A queue on {@code address} (no connection is made yet: a broker that is down makes calls fail
   * with {@link QueueException.Unavailable} until it is up).
   */
  public static JobQueue connect(QueueAddress address, QueueSettings settings) {
    return switch (address.kind()) {
      case REDIS, REDIS_SENTINEL -> new RedisJobQueue(address, settings);
    };
  }
}
