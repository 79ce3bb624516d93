/**
 * The k-diffusion family over σ ({@link io.github.ldm4j.sampler.StepPlan.Sigmas}), on the denoiser
 * D(x, σ) of k-diffusion's discrete-schedule wrappers: {@code euler}, {@code euler_ancestral},
 * {@code heun}, {@code dpm_2}, {@code dpm_2_ancestral}, {@code lms}, {@code dpmpp_2s_ancestral},
 * {@code dpmpp_sde}, {@code dpmpp_2m}, {@code dpmpp_2m_sde}, {@code dpmpp_3m_sde}, plus {@code
 * uni_pc} and {@code lcm}. The latent is x<sub>0</sub> + σ·ε (variance exploding); the model sees
 * x/√(1 + σ²). One algorithm per file, each with its {@code Provider}.
 */
package io.github.ldm4j.samplers.kdiffusion;
