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

  /** Releases native resources; idempotent. The default holds none. */
  @Override
  default void close() {}
}
