/**
 * Where a model folder becomes images. {@link io.github.ldm4j.generate.ModelAssembler} is the one
 * "open" for every backend: it places each network on its backend and device, adapts the networks,
 * reads the training setup once and hands everything to one {@link
 * io.github.ldm4j.pipeline.LatentDiffusion}. {@link io.github.ldm4j.generate.Generator} runs the
 * front ends — {@link io.github.ldm4j.generate.GenerationRequest}s (txt2img, img2img, inpainting)
 * with their {@link io.github.ldm4j.generate.GenerationSettings}, txt2img optionally with AUTOMATIC1111's
 * {@link io.github.ldm4j.generate.HiresFix} — through the model's checked path,
 * calling the sampling planner and classifier-free guidance directly, with per-step {@link
 * io.github.ldm4j.generate.ProgressEvent}s and PNG results that carry their parameters.
 */
package io.github.ldm4j.generate;
