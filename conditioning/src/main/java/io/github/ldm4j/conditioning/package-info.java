/**
 * Prompt to conditioning. This package holds the {@link io.github.ldm4j.conditioning.Tokenizer}
 * contract and its {@link io.github.ldm4j.conditioning.TokenizedPrompt} result; the subpackages hold
 * the pieces:
 *
 * <ul>
 *   <li>{@code clip}: the CLIP BPE tokenizer and its vocabulary files;
 *   <li>{@code prompt}: the A1111 prompt-weighting syntax;
 *   <li>{@code text}: {@link io.github.ldm4j.conditioning.text.ClipCondStage}, prompts to
 *       cross-attention context (weights, long prompts, negative prompts, CLIP skip);
 *   <li>{@code guidance}: classifier-free guidance as a denoiser wrapper;
 *   <li>{@code keys}: conditioning builders for the {@code crossattn}, {@code concat} and {@code
 *       hybrid} keys, inpainting inputs included.
 * </ul>
 */
package io.github.ldm4j.conditioning;
