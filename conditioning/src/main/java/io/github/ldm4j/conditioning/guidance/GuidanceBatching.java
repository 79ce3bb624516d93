package io.github.ldm4j.conditioning.guidance;

/** How the conditional and unconditional predictions are computed. */
public enum GuidanceBatching {
  /** One model call on a batch of 2B (unconditional first, as CompVis and diffusers). */
  BATCHED,
  /** Two model calls of B each: less peak memory, same result. */
  SEPARATE
}
