/**
 * The ONNX Runtime backend ({@code onnx}): opens model folders in the diffusers / optimum ONNX
 * layout and adapts to each component's tensor contract ({@link
 * io.github.ldm4j.backend.onnx.OnnxUNet}, {@link io.github.ldm4j.backend.onnx.OnnxTextEncoder},
 * {@link io.github.ldm4j.backend.onnx.OnnxFirstStage}), on the configured {@link
 * io.github.ldm4j.backend.onnx.ExecutionProvider} ({@link io.github.ldm4j.backend.onnx.OnnxOptions}).
 */
package io.github.ldm4j.backend.onnx;
