package io.github.ldm4j.sampler;

import io.github.ldm4j.tensor.Tensor;

/**
 * One finished sampler step, for progress reporting and previews. The tensors are the sampler's
 * own: listeners must not modify them and must copy what they keep.
 *
 * @param step 0-based index of the step just finished
 * @param totalSteps number of steps of the run
 * @param timestep the (possibly fractional) timestep the model was evaluated at
 * @param sigma the noise level σ of that timestep
 * @param x the latent after the step, in the sampler's own scale: x<sub>0</sub> + σ·ε for σ
 *     samplers (k-diffusion), √ᾱ·x<sub>0</sub> + √(1−ᾱ)·ε for timestep samplers (CompVis)
 * @param denoised the sampler's current prediction of x<sub>0</sub>
 */
public record StepEvent(int step, int totalSteps, double timestep, double sigma, Tensor x, Tensor denoised) {}
