/**
 * Model families 1 and 3: the SD v1 architecture (CLIP text transformer, UNet2DConditionModel,
 * AutoencoderKL) with seeded random weights, at toy sizes ({@link
 * io.github.ldm4j.testkit.sd.SdOptions#tiny()}, the backend conformance model) or full SD v1.5
 * sizes ({@link io.github.ldm4j.testkit.sd.SdOptions#fullScale}, written by {@link
 * io.github.ldm4j.testkit.sd.FullScaleSdCommand}). {@link io.github.ldm4j.testkit.sd.SdGraphs}
 * builds the graphs without materialising weights, so parameter counts are cheap.
 */
package io.github.ldm4j.testkit.sd;
