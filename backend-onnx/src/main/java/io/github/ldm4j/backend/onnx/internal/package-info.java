/**
 * ONNX Runtime plumbing of the ONNX backend: session creation with execution providers and
 * session options, the owned session wrapper, and tensor conversion at the native boundary
 * (float32 zero-copy, float16, integer ids, timestep forms). Not API.
 */
package io.github.ldm4j.backend.onnx.internal;
