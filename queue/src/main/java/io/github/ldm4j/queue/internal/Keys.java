package io.github.ldm4j.queue.internal;

/**
 * The Redis keys of the binding, all under {@value #PREFIX}: a stream of jobs per model with one
 * consumer group, and per job its outcome, its events stream and its cancel flag.
 */
public final class Keys {

  /** The prefix of every key. */
  public static final String PREFIX = "ldm4j:";

  /** The consumer group every worker reads through. */
  public static final String GROUP = "workers";

  private Keys() {}

  /** The stream of a model's jobs (waiting and running; finished ones are deleted). */
  public static String jobs(String model) {
    return PREFIX + "jobs:" + model;
  }

  /** The dead-letter stream of a model. */
  public static String dead(String model) {
    return PREFIX + "dead:" + model;
  }

  /** A model's throughput statistics (hash: done, avg_ms). */
  public static String stats(String model) {
    return PREFIX + "stats:" + model;
  }

  /** A job's outcome. */
  public static String result(String job) {
    return PREFIX + "result:" + job;
  }

  /** A job's events (progress, end). */
  public static String events(String job) {
    return PREFIX + "events:" + job;
  }

  /** A job's cancel flag. */
  public static String cancel(String job) {
    return PREFIX + "cancel:" + job;
  }

  /** The set of worker ids. */
  static final String WORKERS = PREFIX + "workers";

  /** A worker's heartbeat hash (expires when the worker stops beating). */
  static String worker(String id) {
    return PREFIX + "worker:" + id;
  }
}
