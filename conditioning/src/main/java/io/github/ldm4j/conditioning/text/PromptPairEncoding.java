package io.github.ldm4j.conditioning.text;

import io.github.ldm4j.model.Conditioning;
import io.github.ldm4j.tensor.Tensor;
import java.util.List;
import java.util.Objects;

/**
 * Prompts and negative prompts as cross-attention contexts of the same shape, ready for
 * classifier-free guidance.
 *
 * @param cond {@code [B, 77·k, d]}, the prompts
 * @param uncond {@code [B, 77·k, d]}, the negative prompts, padded to the same chunk count k
 * @param promptUsage one entry per prompt
 * @param negativeUsage one entry per negative prompt
 */
public record PromptPairEncoding(
    Tensor cond, Tensor uncond, List<PromptUsage> promptUsage, List<PromptUsage> negativeUsage) {

  /** Validates and copies. */
  public PromptPairEncoding {
    Objects.requireNonNull(cond, "cond");
    Objects.requireNonNull(uncond, "uncond");
    cond.requireSameShape("negative-prompt context", uncond);
    promptUsage = List.copyOf(promptUsage);
    negativeUsage = List.copyOf(negativeUsage);
    if (cond.rank() != 3 || cond.dim(0) != promptUsage.size() || promptUsage.size() != negativeUsage.size()) {
      throw new IllegalArgumentException(
          "contexts " + cond.shape() + " do not hold " + promptUsage.size() + " prompt pairs");
    }
  }

  /** The prompts as {@code crossattn} conditioning. */
  public Conditioning condCrossAttn() {
    return Conditioning.crossAttn(cond);
  }

  /** The negative prompts as {@code crossattn} conditioning. */
  public Conditioning uncondCrossAttn() {
    return Conditioning.crossAttn(uncond);
  }
}
