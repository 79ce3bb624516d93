package io.github.ldm4j.spi;

import java.util.Objects;

/**
 * Backend-neutral options for opening a model.
 *
 * @param device device / execution provider, e.g. {@code cpu}, {@code cuda:0}, {@code GPU}
 * @param intraOpThreads threads inside one operator; 0 lets the runtime decide
 * @param interOpThreads threads across operators; 0 lets the runtime decide
 * @param allowCpuFallback whether to fall back to the CPU when the device cannot run a component
 */
public record BackendOptions(String device, int intraOpThreads, int interOpThreads, boolean allowCpuFallback) {

  /** CPU, runtime-chosen threads, no fallback needed. */
  public static final BackendOptions DEFAULTS = new BackendOptions("cpu", 0, 0, false);

  /** Validates. */
  public BackendOptions {
    Objects.requireNonNull(device, "device");
    if (device.isBlank()) {
      throw new IllegalArgumentException("device must not be blank");
    }
    if (intraOpThreads < 0 || interOpThreads < 0) {
      throw new IllegalArgumentException(
          "thread counts must be >= 0 (0 = runtime default), got intra=" + intraOpThreads + ", inter=" + interOpThreads);
    }
  }
}
