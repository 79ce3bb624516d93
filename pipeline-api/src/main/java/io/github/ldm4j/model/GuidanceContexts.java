package io.github.ldm4j.model;

import io.github.ldm4j.tensor.Tensor;
import java.util.List;
import java.util.Objects;

/**
 * Prompt and negative-prompt contexts of the same shape, with anything the user should know about
 * how the prompts were encoded (e.g. tokens dropped by truncation — reported, never silent).
 *
 * @param cond {@code [B, tokens, d]} for the prompts
 * @param uncond {@code [B, tokens, d]} for the negative prompts
 * @param warnings human-readable notes, empty when nothing was lost
 */
public record GuidanceContexts(Tensor cond, Tensor uncond, List<String> warnings) {

  /** Validates and copies. */
  public GuidanceContexts {
    Objects.requireNonNull(cond, "cond");
    Objects.requireNonNull(uncond, "uncond");
    cond.requireSameShape("negative-prompt context", uncond);
    if (cond.rank() != 3) {
      throw new IllegalArgumentException("contexts must be [B, tokens, d], got " + cond.shape());
    }
    warnings = List.copyOf(warnings);
  }
}
