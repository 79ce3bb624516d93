/**
 * Reading ONNX model files without a runtime: a forward-only protobuf wire reader over the mapped
 * file ({@code ProtoReader}), the graph index ({@link io.github.ldm4j.folder.onnx.OnnxModelIndex}:
 * nodes, outputs, float initializers on request) and {@link
 * io.github.ldm4j.folder.onnx.FinalLayerNormLookup} (the CLIP final layer norm that CLIP skip
 * needs, for any backend running an ONNX text encoder). Hand-written because only a few fields of
 * a possibly multi-gigabyte {@code ModelProto} are needed, without protobuf's generated classes or
 * reading the weights.
 */
package io.github.ldm4j.folder.onnx;
