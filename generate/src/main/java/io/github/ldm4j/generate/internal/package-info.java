/**
 * Internals of the generation front ends: the resampling kernels of hires fix ({@link
 * io.github.ldm4j.generate.internal.Resampling}), written to torch's {@code F.interpolate} and
 * Pillow's {@code Image.resize}, whose results they reproduce, and the initial noise with
 * AUTOMATIC1111's variation seeds and seed resize ({@link io.github.ldm4j.generate.internal.InitialNoise}).
 */
package io.github.ldm4j.generate.internal;
