/**
 * Model families 1 and 3: the SD v1 architecture ({@link io.github.ldm4j.export.sd.SdGraphs}, built
 * by the production module {@code ldm4j-onnx-export}) with seeded random weights ({@link
 * io.github.ldm4j.testkit.internal.SeededWeights#weights}), at toy sizes ({@link
 * io.github.ldm4j.testkit.sd.SdOptions#tiny()}, the backend conformance model) or full SD v1.5
 * sizes ({@link io.github.ldm4j.testkit.sd.SdOptions#fullScale}, written by {@link
 * io.github.ldm4j.testkit.sd.FullScaleSdCommand}).
 */
package io.github.ldm4j.testkit.sd;
