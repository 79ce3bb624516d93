/**
 * The Stable Diffusion v1 networks as ONNX graphs, built in Java: architecture parameters ({@link
 * io.github.ldm4j.export.sd.SdArchitecture} with its {@link io.github.ldm4j.export.sd.UNetArchitecture},
 * {@link io.github.ldm4j.export.sd.VaeArchitecture}, {@link
 * io.github.ldm4j.export.sd.TextEncoderArchitecture}), the graphs ({@link
 * io.github.ldm4j.export.sd.SdGraphs}: CLIP text transformer, UNet2DConditionModel, AutoencoderKL
 * encoder and decoder, in every export flavor and precision) with their parameters from a {@link
 * io.github.ldm4j.export.sd.Weights} source, and each component's {@code config.json} ({@link
 * io.github.ldm4j.export.sd.SdConfigs}). Building a graph computes no weight: values are produced
 * when the graph is written. Tests and benchmarks use seeded random weights (testkit); single-file
 * checkpoints will supply trained ones.
 */
package io.github.ldm4j.export.sd;
