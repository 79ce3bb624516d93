/**
 * The generation front ends, backend-neutral: {@link io.github.ldm4j.generate.GenerationRequest}s
 * (txt2img, img2img, inpainting) with their {@link io.github.ldm4j.generate.GenerationSettings},
 * run by a {@link io.github.ldm4j.generate.Generator} over any backend's components, with
 * per-step {@link io.github.ldm4j.generate.ProgressEvent}s and PNG results that carry their
 * parameters.
 */
package io.github.ldm4j.generate;
