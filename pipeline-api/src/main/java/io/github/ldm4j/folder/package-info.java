/**
 * The on-disk model folders people already have: the diffusers / optimum ONNX export layout and
 * the optimum-intel OpenVINO IR layout ({@link io.github.ldm4j.folder.ModelFolder}), shared by
 * every backend.
 */
package io.github.ldm4j.folder;
