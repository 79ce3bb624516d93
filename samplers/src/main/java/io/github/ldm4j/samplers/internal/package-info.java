/**
 * Internals of the samplers: the per-run state of each family ({@link
 * io.github.ldm4j.samplers.internal.SigmaRun} with k-diffusion's denoiser D(x, σ), {@link
 * io.github.ldm4j.samplers.internal.TimestepRun}), their base classes and option checks. Not API.
 */
package io.github.ldm4j.samplers.internal;
