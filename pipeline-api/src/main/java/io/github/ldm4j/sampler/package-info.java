/**
 * The sampler contract: {@link io.github.ldm4j.sampler.Sampler} runs a {@link
 * io.github.ldm4j.sampler.SamplingRun} (model function, schedule, {@link
 * io.github.ldm4j.sampler.StepPlan}, noise) with per-step {@link io.github.ldm4j.sampler.StepEvent}s
 * and cooperative {@link io.github.ldm4j.sampler.CancellationToken cancellation}; samplers are
 * registered through {@link io.github.ldm4j.sampler.SamplerProvider} and found by name with {@link
 * io.github.ldm4j.sampler.Samplers}. The algorithms live in the {@code ldm4j-samplers} module.
 */
package io.github.ldm4j.sampler;
