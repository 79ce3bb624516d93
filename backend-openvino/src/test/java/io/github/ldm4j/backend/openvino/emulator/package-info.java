/**
 * A test-scope emulator of the OpenVINO C API ({@link
 * io.github.ldm4j.backend.openvino.emulator.OvEmulator}): FFM upcall stubs with OpenVINO's
 * documented semantics, computing with ONNX Runtime, and counting every allocation and free.
 */
package io.github.ldm4j.backend.openvino.emulator;
