package io.github.ldm4j.spi;

import java.util.Locale;

/**
 * How much a backend rewrites a network's graph before running it (ONNX Runtime's {@code
 * GraphOptimizationLevel}; backends without such levels ignore it). Higher levels cost more time
 * when a session opens and usually run faster.
 */
public enum GraphOptimization {
  /** No graph optimisation: the fastest to open, the slowest to run. */
  DISABLED,
  /** Constant folding and redundant-node elimination. */
  BASIC,
  /** Basic plus node fusions. */
  EXTENDED,
  /** Everything, layout optimisations included (ONNX Runtime's default). */
  ALL;

  /**
   * Parses a level name, case-insensitively.
   *
   * @throws IllegalArgumentException naming the valid levels
   */
  public static GraphOptimization parse(String name) {
    for (GraphOptimization g : values()) {
      if (g.name().equalsIgnoreCase(name == null ? "" : name.strip())) {
        return g;
      }
    }
    throw new IllegalArgumentException("unknown graph optimisation level '" + name + "'; expected one of "
        + java.util.Arrays.stream(values()).map(v -> v.name().toLowerCase(Locale.ROOT)).toList());
  }
}
