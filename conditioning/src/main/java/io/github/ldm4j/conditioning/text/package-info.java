/**
 * Prompts to cross-attention context: {@link io.github.ldm4j.conditioning.text.ClipCondStage}, a
 * {@link io.github.ldm4j.model.CondStage} over a {@link io.github.ldm4j.conditioning.Tokenizer} and
 * a {@link io.github.ldm4j.model.TextEncoder}, with prompt weights, 75-token chunks for long
 * prompts, negative prompts padded to the same chunk count and CLIP skip, configured by {@link
 * io.github.ldm4j.conditioning.text.TextConditioningOptions}.
 */
package io.github.ldm4j.conditioning.text;
