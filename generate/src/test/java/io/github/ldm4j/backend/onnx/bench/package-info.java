/**
 * Benchmarks of the ONNX backend (test scope, not shipped): the pipeline's overhead outside ONNX
 * Runtime's {@code run} calls and the full-scale SD v1.5 timings against a plain ONNX Runtime loop.
 * {@link io.github.ldm4j.backend.onnx.bench.OnnxBench} is the entry point; figures and commands are
 * in {@code docs/benchmarks.md}.
 */
package io.github.ldm4j.backend.onnx.bench;
