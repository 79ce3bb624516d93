/**
 * Images at the edges of a generation: 8-bit {@link io.github.ldm4j.image.RgbImage}s and {@link
 * io.github.ldm4j.image.Mask}s, their conversion to and from model tensors, and PNG encoding with
 * the generation parameters in a {@code parameters} text chunk ({@link
 * io.github.ldm4j.image.PngCodec}).
 */
package io.github.ldm4j.image;
