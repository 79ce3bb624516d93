/**
 * {@link io.github.ldm4j.pipeline.LatentDiffusion}: the composition of first stage, cond stage,
 * denoiser and sampler, without any backend code.
 */
package io.github.ldm4j.pipeline;
