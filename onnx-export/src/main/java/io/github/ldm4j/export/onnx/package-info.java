/**
 * A small DSL for ONNX graphs: {@link io.github.ldm4j.export.onnx.GraphBuilder} (typed inputs and
 * outputs with symbolic dimensions, lazily valued initializers, nodes), {@link
 * io.github.ldm4j.export.onnx.Ops} (shorthands for the opset-17 operators used), and {@link
 * io.github.ldm4j.export.onnx.OnnxModelWriter}, which serialises a graph as an ONNX {@code
 * ModelProto} (with its own protobuf encoder, {@code export.onnx.internal}: no protobuf-java) with
 * weights inline or in an external {@code model.onnx_data} file, deterministically.
 */
package io.github.ldm4j.export.onnx;
