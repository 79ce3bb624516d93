/**
 * Test helpers shared by the pipeline-api tests: the exact point-mass denoiser, a seeded Gaussian
 * source that counts its draws, and the seeds of the property-style parameterized cases.
 */
package io.github.ldm4j.testsupport;
