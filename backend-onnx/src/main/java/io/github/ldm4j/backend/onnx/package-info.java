/** The ONNX Runtime backend. (Being built; see its issue.) */
package io.github.ldm4j.backend.onnx;
