/** ONNX models the project generates itself for tests, demos and benchmarks. (Being built; see its issue.) */
package io.github.ldm4j.testkit;
