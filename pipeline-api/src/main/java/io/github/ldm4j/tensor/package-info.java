/**
 * Float tensors in off-heap memory: {@link io.github.ldm4j.tensor.Tensor} and its
 * {@link io.github.ldm4j.tensor.Shape}, with the element-wise arithmetic samplers need. Tensors
 * are handed to native runtimes (ONNX Runtime, OpenVINO) without copying.
 */
package io.github.ldm4j.tensor;
