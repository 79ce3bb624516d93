/**
 * The ONNX Runtime backend ({@code onnx}): opens the networks of a model folder in the diffusers /
 * optimum ONNX layout as ONNX Runtime sessions ({@link io.github.ldm4j.backend.onnx.OnnxBackend},
 * {@link io.github.ldm4j.backend.onnx.OnnxBackendProvider}), each on its {@link
 * io.github.ldm4j.backend.onnx.ExecutionProvider} ({@link io.github.ldm4j.backend.onnx.OnnxOptions}).
 * The tensor contracts are adapted backend-neutrally by {@link io.github.ldm4j.spi.contract}.
 */
package io.github.ldm4j.backend.onnx;
