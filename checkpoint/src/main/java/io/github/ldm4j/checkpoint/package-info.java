/**
 * Single-file checkpoints as {@link io.github.ldm4j.checkpoint.StateDict}s: named tensors ({@link
 * io.github.ldm4j.checkpoint.TensorEntry}: {@link io.github.ldm4j.checkpoint.DType} and shape) read
 * from a memory-mapped file. Hand-written readers, because no JVM library reads safetensors or
 * PyTorch's pickle-in-zip format without executing or copying: the safetensors layout is a length,
 * a JSON header and raw data; PyTorch checkpoints are read by a restricted unpickler that only
 * materialises allowed globals and never runs code.
 */
package io.github.ldm4j.checkpoint;
