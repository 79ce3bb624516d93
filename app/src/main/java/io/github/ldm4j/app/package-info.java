/**
 * The ldm4j command line ({@code ./ldm4j}): {@code generate} (txt2img, img2img, inpainting; the
 * embedded demo model when no model is given), {@code demo-model}, {@code samplers} and {@code
 * tokenize}.
 */
package io.github.ldm4j.app;
