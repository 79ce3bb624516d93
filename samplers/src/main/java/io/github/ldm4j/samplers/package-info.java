/**
 * The sampler algorithms and their step schedules. Samplers register as {@link
 * io.github.ldm4j.sampler.SamplerProvider}s (find them with {@link io.github.ldm4j.sampler.Samplers});
 * schedules ("schedulers" in ComfyUI) are found with {@link io.github.ldm4j.samplers.StepSchedulers};
 * {@link io.github.ldm4j.samplers.PartialDenoising} builds img2img plans; {@code .diffusers} maps a
 * model's {@code scheduler_config.json} onto them; {@link io.github.ldm4j.samplers.SamplerNames}
 * maps AUTOMATIC1111's display names ("Euler a", "DPM++ 2M Karras") onto theirs.
 *
 * <p>Two families: {@code .compvis} (timestep plans: {@code ddpm}, {@code ddim}, {@code plms},
 * {@code dpm_solver}, {@code dpm_solver_eps}) and {@code .kdiffusion} (σ plans: {@code euler},
 * {@code euler_ancestral}, {@code heun}, {@code dpm_2}, {@code dpm_2_ancestral}, {@code lms},
 * {@code dpmpp_2s_ancestral}, {@code dpmpp_sde}, {@code dpmpp_2m}, {@code dpmpp_2m_sde}, {@code
 * dpmpp_3m_sde}, {@code uni_pc}, {@code lcm}). A σ sampler given a timestep plan runs on σ(t) of its
 * timesteps then 0 (exact); a timestep sampler given a σ plan accepts it only if every σ is a
 * training timestep's σ (and the last is 0 or σ<sub>min</sub>), and rejects it otherwise.
 *
 * <p>Stochastic samplers draw all their noise from the run's {@link io.github.ldm4j.random.RandomSource},
 * so a seed reproduces an image; the SDE samplers use independent Gaussian increments rather than
 * k-diffusion's Brownian tree (same per-step distribution, a different random stream).
 */
package io.github.ldm4j.samplers;
