/**
 * {@code ldm4j bench}: ldm4j's whole txt2img generation ({@link io.github.ldm4j.app.bench.PipelineBench})
 * against the floor, the same ONNX networks called in a plain ONNX Runtime Java loop ({@link
 * io.github.ldm4j.app.bench.FloorBench}), interleaved in one process, with the time inside ONNX
 * Runtime's {@code run} calls traced, per-step and end-to-end times, open times, RSS and load
 * average ({@link io.github.ldm4j.app.bench.Bench} is the entry point). Figures and commands are in
 * {@code docs/benchmarks.md}.
 */
package io.github.ldm4j.app.bench;
