package io.github.ldm4j.export.folder;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.ldm4j.export.onnx.OnnxGraph;
import java.util.Objects;

/**
 * One component sub-folder: {@code <folder>/model.onnx} and {@code <folder>/config.json}.
 *
 * @param folder sub-folder name, e.g. {@code unet}
 * @param graph the network
 * @param config the {@code config.json} contents
 */
public record Component(String folder, OnnxGraph graph, ObjectNode config) {

  /** Rejects nulls. */
  public Component {
    Objects.requireNonNull(folder, "folder");
    Objects.requireNonNull(graph, "graph");
    Objects.requireNonNull(config, "config");
  }
}
