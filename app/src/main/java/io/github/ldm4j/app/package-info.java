/**
 * The ldm4j application ({@code ./ldm4j}), a Quarkus application in picocli command mode: {@code
 * generate} (txt2img, img2img, inpainting; the embedded demo model when no model is given), {@code
 * serve} (the REST service of the quarkus-ldm4j extension), {@code tokenize}, {@code inspect},
 * {@code samplers} and {@code demo-model}.
 */
package io.github.ldm4j.app;
