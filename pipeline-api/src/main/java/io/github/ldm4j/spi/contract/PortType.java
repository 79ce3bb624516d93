package io.github.ldm4j.spi.contract;

/** The element type of a network input or output, as far as ldm4j tells types apart. */
public enum PortType {
  /** IEEE single. */
  FLOAT32,
  /** IEEE half. */
  FLOAT16,
  /** int32. */
  INT32,
  /** int64. */
  INT64,
  /** Anything else (ldm4j cannot feed or read it). */
  OTHER;

  /** Whether this is {@link #FLOAT32} or {@link #FLOAT16}. */
  public boolean isFloating() {
    return this == FLOAT32 || this == FLOAT16;
  }
}
