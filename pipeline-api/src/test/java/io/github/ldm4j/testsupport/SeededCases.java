package io.github.ldm4j.testsupport;

import java.util.SplittableRandom;

/**
 * Reproducible random inputs for property-style tests: every test draws its cases from its own
 * stream, seeded from a fixed master seed and the test's name, so a failing case is named in the
 * test's display name or assertion description and reruns identically.
 */
public final class SeededCases {

  /** The master seed of every case stream. */
  public static final long MASTER_SEED = 0x1d4_4a11L;

  private SeededCases() {}

  /** The case stream of the test called {@code name}. */
  public static SplittableRandom random(String name) {
    return new SplittableRandom(MASTER_SEED ^ name.hashCode());
  }
}
