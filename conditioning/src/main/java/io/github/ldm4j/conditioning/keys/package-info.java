/**
 * Conditioning builders for every CompVis {@code conditioning_key}: {@link
 * io.github.ldm4j.conditioning.keys.Conditionings} ({@code crossattn}, {@code concat}, {@code
 * hybrid}, and guidance pairs of them) and {@link
 * io.github.ldm4j.conditioning.keys.InpaintingConditioning} (mask and masked-image latent for
 * inpainting models).
 */
package io.github.ldm4j.conditioning.keys;
