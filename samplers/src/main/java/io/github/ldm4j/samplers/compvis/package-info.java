/**
 * The CompVis family over discrete timesteps ({@link io.github.ldm4j.sampler.StepPlan.Timesteps}):
 * {@code ddpm}, {@code ddim}, {@code plms}, {@code dpm_solver} (DPM-Solver++) and {@code
 * dpm_solver_eps}. They end at ᾱ[0] (CompVis {@code ddim_alphas_prev}) except {@code ddpm}, whose
 * respaced chain ends at the clean sample. One algorithm per file, each with its {@code Provider}.
 */
package io.github.ldm4j.samplers.compvis;
