/**
 * The ldm4j application ({@code ./ldm4j}), a Quarkus application in picocli command mode: {@code
 * generate} (txt2img, img2img, inpainting; the embedded demo model when no model is given), {@code
 * serve} (the REST service of the quarkus-ldm4j extension), {@code worker} (a generation worker of
 * the Redis queue), {@code tokenize}, {@code inspect}, {@code samplers} and {@code demo-model}. The
 * worker's health endpoints ({@code WorkerHealth}) use the JDK's {@code com.sun.net.httpserver}, not
 * Quarkus' HTTP listener, which the CLI runs without (turning it on would serve the whole REST API on
 * a process that takes no requests).
 */
package io.github.ldm4j.app;
