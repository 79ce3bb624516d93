/**
 * The prompt-weighting syntax users write in (AUTOMATIC1111's {@code parse_prompt_attention}):
 * {@link io.github.ldm4j.conditioning.prompt.PromptParser} turns text into weighted {@link
 * io.github.ldm4j.conditioning.prompt.PromptSegment}s under a {@link
 * io.github.ldm4j.conditioning.prompt.PromptSyntax}; {@link
 * io.github.ldm4j.conditioning.prompt.ExtraNetworks} takes A1111's extra-network tags ({@code
 * <lora:name:w>}) out of a prompt before that.
 */
package io.github.ldm4j.conditioning.prompt;
