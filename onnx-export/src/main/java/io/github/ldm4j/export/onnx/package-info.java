/**
 * A small DSL for ONNX graphs: {@link io.github.ldm4j.export.onnx.GraphBuilder} (typed inputs and
 * outputs with symbolic dimensions, lazily valued initializers, nodes), {@link
 * io.github.ldm4j.export.onnx.Ops} (shorthands for the opset-17 operators used), and {@link
 * io.github.ldm4j.export.onnx.OnnxModelWriter}, which serialises a graph through the generated
 * {@code ai.onnx.proto.OnnxMl} classes (from {@code org.tribuo:tribuo-util-onnx}) with weights
 * inline or in an external {@code model.onnx_data} file, deterministically.
 */
package io.github.ldm4j.export.onnx;
