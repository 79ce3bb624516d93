/**
 * The ONNX protobuf encoder behind {@link io.github.ldm4j.export.onnx.OnnxModelWriter}: a
 * write-only protocol-buffers wire writer ({@link io.github.ldm4j.export.onnx.internal.ProtoWriter})
 * and the field numbers of the part of {@code onnx.proto} the writer emits ({@link
 * io.github.ldm4j.export.onnx.internal.OnnxFields}). Not API.
 *
 * <p>Hand-written rather than generated: the writer needs about fifteen message types, only ever
 * writes them, and writes them in one fixed shape, so a few hundred lines replace protobuf-java and
 * a generated {@code OnnxMl} class. That keeps protobuf-java (and its version conflicts with Quarkus
 * and gRPC, and its native-image configuration) off the class path of the runtime that converts
 * checkpoints into ONNX folders; {@code pipeline-api} already reads ONNX files by hand the same way
 * ({@code io.github.ldm4j.folder.onnx}). The bytes are those protobuf-java writes for the same
 * messages (fields in field-number order, the proto2 rules of {@code onnx.proto}: unpacked repeated
 * scalars, every field that is set written even at its default value); the module's tests compare
 * them against protobuf-java with the generated classes of {@code org.tribuo:tribuo-util-onnx}.
 */
package io.github.ldm4j.export.onnx.internal;
