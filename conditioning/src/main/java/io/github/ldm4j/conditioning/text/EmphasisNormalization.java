package io.github.ldm4j.conditioning.text;

/**
 * How weighted hidden states are renormalised after multiplying each token's hidden state by its
 * weight (A1111 "Original" emphasis: z·w, then scaled by mean(z) / mean(z·w)). Rows whose weights
 * are all 1 are never touched, so unweighted prompts give exactly the encoder's output.
 */
public enum EmphasisNormalization {
  /**
   * Each prompt's chunk back to its own original mean (A1111 with one prompt per batch, its usual
   * case); results do not depend on the other prompts of the batch.
   */
  MEAN_PER_PROMPT,
  /**
   * The whole batch of one chunk back to its original mean, as A1111's {@code
   * FrozenCLIPEmbedderWithCustomWords} does for a batch of different prompts; prompts and negative
   * prompts are separate batches.
   */
  MEAN_PER_BATCH,
  /** Weights are applied without renormalisation (A1111 "No norm"). */
  NONE
}
