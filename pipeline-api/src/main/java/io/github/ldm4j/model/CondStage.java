package io.github.ldm4j.model;

import io.github.ldm4j.tensor.Tensor;
import java.util.List;

/**
 * The conditioning stage (CompVis {@code cond_stage_model}, e.g. {@code FrozenCLIPEmbedder}):
 * prompts to the conditioning tensors the denoiser takes.
 *
 * <p>Implementations holding native sessions own them and release them in {@link #close()}
 * (idempotent); they must be safe to call from several threads.
 */
public interface CondStage extends AutoCloseable {

  /**
   * CompVis {@code get_learned_conditioning}: one context {@code [B, tokens, dim]} for B prompts.
   *
   * @throws IllegalArgumentException for a null prompt
   */
  Tensor getLearnedConditioning(List<String> prompts);

  /**
   * Each prompt and its own negative prompt as the {@code crossattn} pair of classifier-free
   * guidance (two contexts of one shape). The default encodes both lists with {@link #getLearnedConditioning} and supports only
   * {@code clipSkip == 1}; prompt-syntax-aware stages (long prompts, weights, CLIP skip) override it.
   *
   * @param prompts B prompts
   * @param negativePrompts B negative prompts ("" = unconditional)
   * @param clipSkip 1 = last layer, n ≥ 2 = n-th layer from the end
   * @throws IllegalArgumentException for mismatched list sizes or null prompts
   * @throws UnsupportedOperationException for a CLIP skip the stage cannot honour
   */
  default GuidancePair encodeForGuidance(List<String> prompts, List<String> negativePrompts, int clipSkip) {
    if (prompts.size() != negativePrompts.size()) {
      throw new IllegalArgumentException(
          prompts.size() + " prompts but " + negativePrompts.size() + " negative prompts; give one negative prompt per prompt");
    }
    if (clipSkip != 1) {
      throw new UnsupportedOperationException(getClass().getSimpleName() + " does not support clip skip " + clipSkip);
    }
    return GuidancePair.crossAttn(getLearnedConditioning(prompts), getLearnedConditioning(negativePrompts), List.of());
  }

  /** Releases native resources; idempotent. The default holds none. */
  @Override
  default void close() {}
}
