/**
 * diffusers interoperability: {@link io.github.ldm4j.samplers.diffusers.SchedulerConfig} parses a
 * model's {@code scheduler/scheduler_config.json} (Jackson) and {@link
 * io.github.ldm4j.samplers.diffusers.DiffusersSchedulers} maps it to a {@link
 * io.github.ldm4j.samplers.diffusers.SamplerRecipe}: the sampler, step schedule, training schedule
 * and parameterization that reproduce it, with any known deviations spelled out.
 */
package io.github.ldm4j.samplers.diffusers;
