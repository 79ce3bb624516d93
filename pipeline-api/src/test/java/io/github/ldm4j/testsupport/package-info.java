/**
 * Test helpers shared by the pipeline-api tests: the exact point-mass denoiser, a seeded Gaussian
 * source that counts its draws, the seeds of the property-style parameterized cases, and a
 * 9-channel inpainting UNet whose output exposes its routed inputs. Shipped as
 * {@code ldm4j-pipeline-api:tests} (type test-jar) for the conditioning tests.
 */
package io.github.ldm4j.testsupport;
