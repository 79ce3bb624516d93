/**
 * ONNX models ldm4j generates itself, as real model folders with the layouts and tensor contracts
 * of real Stable Diffusion v1 exports (reference facts §4), for tests, demos and benchmarks.
 *
 * <p>Three families share one graph DSL ({@link io.github.ldm4j.testkit.onnx}) and one folder
 * writer: the tiny SD model and the full-scale SD v1.5 architecture with seeded random weights
 * ({@link io.github.ldm4j.testkit.sd}), and the "shapes" oracle whose correct output is known
 * ({@link io.github.ldm4j.testkit.shapes}), also the embedded demo model. This package holds the
 * options every family shares: {@link io.github.ldm4j.testkit.ExportFlavor} (legacy, optimum,
 * OpenVINO-style contracts), {@link io.github.ldm4j.testkit.Precision} (fp32/fp16),
 * {@link io.github.ldm4j.testkit.PipelineVariant} (text-to-image/inpainting) and the result type
 * {@link io.github.ldm4j.testkit.GeneratedFolder}. See {@code testkit/README.md}.
 */
package io.github.ldm4j.testkit;
