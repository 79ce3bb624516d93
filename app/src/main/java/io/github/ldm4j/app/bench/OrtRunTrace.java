package io.github.ldm4j.app.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;

/**
 * Measures the time spent inside ONNX Runtime's {@code OrtSession.run} with JFR method tracing
 * ({@code jdk.MethodTrace}, JDK 25): the JVM instruments the method itself, so neither ldm4j nor
 * the bench has to hook into the backend. The overloads call each other, so intervals are merged
 * per thread and nested calls count once.
 *
 * <p><b>Ownership:</b> {@link #start()} begins a JFR recording that {@link #stop()} (or {@link
 * #close()}) ends and deletes.
 */
final class OrtRunTrace implements AutoCloseable {

  /** The traced method (JFR method filter syntax). */
  static final String FILTER = "ai.onnxruntime.OrtSession::run";

  private Recording recording;

  /** The traced calls of one recording. */
  record Result(int calls, long nanos) {}

  /** Starts tracing; the instrumentation is in place when this returns. */
  void start() {
    if (recording != null) {
      throw new IllegalStateException("trace already started");
    }
    recording = new Recording();
    recording.enable("jdk.MethodTrace").with("filter", FILTER).withThreshold(Duration.ZERO).withoutStackTrace();
    recording.setToDisk(true);
    recording.start();
  }

  /** Stops tracing and returns the merged time inside {@code OrtSession.run} since {@link #start()}. */
  Result stop() {
    if (recording == null) {
      throw new IllegalStateException("trace not started");
    }
    Path file = null;
    try {
      recording.stop();
      file = Files.createTempFile("ldm4j-ort-trace", ".jfr");
      recording.dump(file);
      return fromEvents(RecordingFile.readAllEvents(file));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the JFR trace", e);
    } finally {
      recording.close();
      recording = null;
      if (file != null) {
        try {
          Files.deleteIfExists(file);
        } catch (IOException ignored) {
          // a stray temp file is harmless
        }
      }
    }
  }

  /** One traced call: the thread and its start and end. */
  record Interval(long thread, Instant start, Instant end) {}

  /** The traced calls of {@code events}, merged by {@link #merge(List)}. */
  static Result fromEvents(List<RecordedEvent> events) {
    List<Interval> intervals = new ArrayList<>();
    for (RecordedEvent e : events) {
      if (e.getEventType().getName().equals("jdk.MethodTrace")) {
        long thread = e.getThread() == null ? -1 : e.getThread().getJavaThreadId();
        intervals.add(new Interval(thread, e.getStartTime(), e.getEndTime()));
      }
    }
    return merge(intervals);
  }

  /**
   * Merges overlapping intervals per thread (an overload calling another counts once) and sums
   * them; calls on different threads are summed, not merged.
   */
  static Result merge(List<Interval> intervals) {
    Map<Long, List<Interval>> byThread = new HashMap<>();
    for (Interval iv : intervals) {
      byThread.computeIfAbsent(iv.thread(), k -> new ArrayList<>()).add(iv);
    }
    int calls = 0;
    long nanos = 0;
    for (List<Interval> list : byThread.values()) {
      list.sort(Comparator.comparing(Interval::start));
      Instant start = null;
      Instant end = null;
      for (Interval iv : list) {
        if (end != null && !iv.start().isAfter(end)) {
          if (iv.end().isAfter(end)) {
            end = iv.end();
          }
          continue;
        }
        if (end != null) {
          nanos += Duration.between(start, end).toNanos();
        }
        calls++;
        start = iv.start();
        end = iv.end();
      }
      if (end != null) {
        nanos += Duration.between(start, end).toNanos();
      }
    }
    return new Result(calls, nanos);
  }

  @Override
  public void close() {
    if (recording != null) {
      recording.close();
      recording = null;
    }
  }
}
