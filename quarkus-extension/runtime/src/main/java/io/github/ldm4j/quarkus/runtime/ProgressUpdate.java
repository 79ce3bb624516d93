package io.github.ldm4j.quarkus.runtime;

/**
 * One step of one generation, as streamed to progress subscribers.
 *
 * @param job the generation's number (1, 2, … in submission order since startup)
 * @param step steps done, 1-based
 * @param total steps of the generation
 * @param sigma the noise level reached
 */
public record ProgressUpdate(long job, int step, int total, double sigma) {}
