package io.github.ldm4j.app.bench;

import io.github.ldm4j.folder.ModelComponent;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;

/**
 * Time spent inside network calls, per {@link ModelComponent}, accumulated by the timing
 * decorators. Thread-safe.
 */
final class CallTimes {

  private final Map<ModelComponent, LongAdder> nanos = new EnumMap<>(ModelComponent.class);
  private final Map<ModelComponent, LongAdder> calls = new EnumMap<>(ModelComponent.class);
  private final AtomicLong firstStart = new AtomicLong(Long.MAX_VALUE);
  private final AtomicLong lastEnd = new AtomicLong(Long.MIN_VALUE);

  CallTimes() {
    for (ModelComponent c : ModelComponent.values()) {
      nanos.put(c, new LongAdder());
      calls.put(c, new LongAdder());
    }
  }

  /** Runs {@code call} and adds its duration to {@code component}. */
  <T> T time(ModelComponent component, Supplier<T> call) {
    long t0 = System.nanoTime();
    try {
      return call.get();
    } finally {
      long t1 = System.nanoTime();
      nanos.get(component).add(t1 - t0);
      calls.get(component).increment();
      firstStart.accumulateAndGet(t0, Math::min);
      lastEnd.accumulateAndGet(t1, Math::max);
    }
  }

  /** Nanoseconds inside calls of {@code component} since the last reset. */
  long nanos(ModelComponent component) {
    return nanos.get(component).sum();
  }

  /** Calls of {@code component} since the last reset. */
  long calls(ModelComponent component) {
    return calls.get(component).sum();
  }

  /** Nanoseconds inside all network calls since the last reset. */
  long totalNanos() {
    long sum = 0;
    for (LongAdder a : nanos.values()) {
      sum += a.sum();
    }
    return sum;
  }

  /** {@link System#nanoTime()} when the first call since the last reset began. */
  long firstStart() {
    return firstStart.get();
  }

  /** {@link System#nanoTime()} when the last call since the last reset ended. */
  long lastEnd() {
    return lastEnd.get();
  }

  /** Clears every counter. */
  void reset() {
    nanos.values().forEach(LongAdder::reset);
    calls.values().forEach(LongAdder::reset);
    firstStart.set(Long.MAX_VALUE);
    lastEnd.set(Long.MIN_VALUE);
  }
}
