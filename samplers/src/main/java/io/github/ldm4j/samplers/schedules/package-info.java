/**
 * The {@link io.github.ldm4j.samplers.StepScheduler} implementations: σ schedules ({@code karras},
 * {@code exponential}, {@code normal}, {@code sgm_uniform}) and timestep schedules ({@code simple},
 * {@code ddim_uniform}, {@code ddim_quad}, diffusers' {@code leading}/{@code trailing}/{@code
 * linspace}, {@code lcm}). Look them up by name with {@link io.github.ldm4j.samplers.StepSchedulers}.
 */
package io.github.ldm4j.samplers.schedules;
