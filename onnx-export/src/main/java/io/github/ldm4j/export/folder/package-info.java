/**
 * Writes diffusers / optimum-style ONNX pipeline folders: {@link
 * io.github.ldm4j.export.folder.FolderWriter#write} turns a {@link
 * io.github.ldm4j.export.folder.FolderSpec} (export flavor, pipeline variant, prediction type,
 * weight storage and the {@link io.github.ldm4j.export.folder.Component}s: a graph and its {@code
 * config.json} each) into {@code model_index.json}, {@code scheduler/scheduler_config.json}, the
 * CLIP {@code tokenizer/} files and one sub-folder per network. The tensor contract of the three
 * kinds of real exports is {@link io.github.ldm4j.export.folder.ExportFlavor} (with {@link
 * io.github.ldm4j.export.folder.Precision} — chosen as {@link
 * io.github.ldm4j.export.folder.PrecisionChoice}, whose {@code auto} follows the UNet's placement — and
 * {@link io.github.ldm4j.export.folder.GraphParts} for the subgraphs every contract needs); {@link io.github.ldm4j.export.folder.ComponentConfigs}
 * writes the component configs a pipeline reads.
 */
package io.github.ldm4j.export.folder;
