/**
 * Stable Diffusion 1.x and 2.x checkpoints in the CompVis layout: {@link io.github.ldm4j.checkpoint.sd.SdCheckpoint}
 * detects the architecture from keys and shapes and serves the tensors as the weights of ldm4j's
 * Java-built graphs ({@link io.github.ldm4j.export.sd.SdGraphs}); {@link
 * io.github.ldm4j.checkpoint.sd.CompVisNames} is the map between the diffusers / transformers
 * module names of the graphs and the checkpoint's keys; {@link
 * io.github.ldm4j.checkpoint.sd.InferenceConfig} reads what a CompVis {@code .yaml} adds (heads,
 * parameterization, scale factor) with Jackson's YAML reader, as data only; {@link
 * io.github.ldm4j.checkpoint.sd.CheckpointFolders} caches the conversion into an ONNX model folder,
 * and {@link io.github.ldm4j.checkpoint.sd.CheckpointGenerators} opens it with LoRA sets applied at
 * load time ({@link io.github.ldm4j.checkpoint.sd.LoraOverrides}: the merged touched weights only).
 */
package io.github.ldm4j.checkpoint.sd;
