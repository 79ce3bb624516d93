/**
 * The hand-written Foreign Function and Memory binding of the OpenVINO C API ({@code
 * libopenvino_c}) that the {@code openvino} backend uses: status and element-type facts ({@link
 * io.github.ldm4j.backend.openvino.internal.OvStatus}, {@link
 * io.github.ldm4j.backend.openvino.internal.OvElementType}), struct layouts ({@link
 * io.github.ldm4j.backend.openvino.internal.OvLayouts}), the downcall handles ({@link
 * io.github.ldm4j.backend.openvino.internal.OvApi}) and one owning {@link
 * io.github.ldm4j.backend.openvino.internal.NativeHandle} per native object type. Not API.
 */
package io.github.ldm4j.backend.openvino.internal;
