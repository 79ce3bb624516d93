/**
 * Internals of the generation front ends: the resampling kernels of hires fix ({@link
 * io.github.ldm4j.generate.internal.Resampling}), written to torch's {@code F.interpolate} and
 * Pillow's {@code Image.resize}, whose results they reproduce.
 */
package io.github.ldm4j.generate.internal;
