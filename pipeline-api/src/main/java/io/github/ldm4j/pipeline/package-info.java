/**
 * {@link io.github.ldm4j.pipeline.LatentDiffusion}: the one model aggregate — first stage (with its
 * scale factor), cond stage, denoiser and training schedule, owned and closed together — and the
 * one checked path every generation runs through ({@code apply_model} with its checks, sampling
 * that names the step of a non-finite output, decoding whole or in tiles with {@link
 * io.github.ldm4j.pipeline.TiledDecoder}), plus CompVis' built-in ancestral {@code p_sample_loop};
 * no backend code. {@link io.github.ldm4j.pipeline.LatentPreview} renders step previews.
 */
package io.github.ldm4j.pipeline;
