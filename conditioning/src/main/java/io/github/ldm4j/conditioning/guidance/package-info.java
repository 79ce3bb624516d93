/**
 * Classifier-free guidance as a denoiser wrapper ({@link
 * io.github.ldm4j.conditioning.guidance.ClassifierFreeGuidance}): a {@link
 * io.github.ldm4j.model.Denoiser} with conditional and unconditional {@link
 * io.github.ldm4j.model.Conditioning} becomes the {@link io.github.ldm4j.sampler.ModelFunction} a
 * sampler calls, so samplers never see guidance.
 */
package io.github.ldm4j.conditioning.guidance;
