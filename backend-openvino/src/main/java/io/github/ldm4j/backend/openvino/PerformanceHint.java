package io.github.ldm4j.backend.openvino;

/** OpenVINO's {@code PERFORMANCE_HINT}: what the device tunes its streams and threads for. */
public enum PerformanceHint {
  /** One inference as fast as possible (one generation at a time). */
  LATENCY,
  /** Most inferences per second (several concurrent generations). */
  THROUGHPUT
}
