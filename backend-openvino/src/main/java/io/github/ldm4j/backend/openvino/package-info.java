/**
 * The Intel OpenVINO backend ({@code openvino}): OpenVINO 2024+ bound through hand-written Java FFM
 * downcalls of its C API (no JNI, no generated code). {@link
 * io.github.ldm4j.backend.openvino.OpenVinoBackend} opens the networks of optimum-intel IR and ONNX
 * model folders on the configured {@link io.github.ldm4j.backend.openvino.OpenVinoDevice}s ({@link
 * io.github.ldm4j.backend.openvino.OpenVinoOptions}), reshaping networks to static shapes; {@link
 * io.github.ldm4j.backend.openvino.OpenVinoLocator} and {@link
 * io.github.ldm4j.backend.openvino.OpenVinoRuntime} find and load the runtime. The tensor contracts
 * are adapted backend-neutrally by {@link io.github.ldm4j.spi.contract}.
 */
package io.github.ldm4j.backend.openvino;
