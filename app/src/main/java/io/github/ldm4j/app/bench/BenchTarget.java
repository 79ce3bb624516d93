package io.github.ldm4j.app.bench;

/**
 * Something {@link Bench} times: one whole generation (or the floor's equivalent) per {@link
 * #runOnce()}. Owns its ONNX Runtime sessions; {@link #close()} releases them.
 */
interface BenchTarget extends AutoCloseable {

  /** The figures of one run. */
  record Figures(long wallNanos, long ortNanos, int ortCalls, double unetNanosPerCall, String report) {

    /** The wall time outside {@code OrtSession.run} as a percentage of the wall time. */
    double outsidePercent() {
      return 100.0 * (wallNanos - ortNanos) / wallNanos;
    }
  }

  /** How long opening the sessions took, in nanoseconds. */
  long openNanos();

  /** A short label ("ldm4j" or "floor"). */
  String label();

  /** Runs once, traced. */
  Figures runOnce();

  @Override
  void close();
}
