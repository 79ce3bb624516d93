/**
 * Conditioning builders for every CompVis {@code conditioning_key}: {@link
 * io.github.ldm4j.conditioning.keys.Conditionings} ({@code crossattn}, {@code concat}, {@code
 * hybrid}, and guidance pairs of them). The inpainting channels (mask and masked-image latent) are
 * built by {@link io.github.ldm4j.model.InpaintingConditioning} in the pipeline API, where the
 * generation front ends use them too.
 */
package io.github.ldm4j.conditioning.keys;
