/**
 * {@link io.github.ldm4j.pipeline.LatentDiffusion}: the composition of first stage (with its scale
 * factor), cond stage, denoiser and training schedule, with the reverse process over them (any
 * {@link io.github.ldm4j.sampler.Sampler}, or the built-in ancestral {@code p_sample_loop}),
 * without any backend code.
 */
package io.github.ldm4j.pipeline;
