package io.github.ldm4j.conditioning.guidance;

import io.github.ldm4j.model.Conditioning;
import java.util.Objects;

/**
 * The conditional and unconditional conditioning of classifier-free guidance.
 *
 * @param cond for the prompts
 * @param uncond for the negative prompts (same variant and shapes)
 */
public record GuidancePair(Conditioning cond, Conditioning uncond) {

  /** Validates. */
  public GuidancePair {
    Objects.requireNonNull(cond, "cond");
    Objects.requireNonNull(uncond, "uncond");
  }
}
