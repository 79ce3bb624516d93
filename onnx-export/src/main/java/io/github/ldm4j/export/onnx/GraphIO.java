package io.github.ldm4j.export.onnx;

import java.util.Objects;

/**
 * A declared graph input or output.
 *
 * @param name value name
 * @param type element type and dimensions
 */
public record GraphIO(String name, TensorType type) {

  /** Rejects nulls and empty names. */
  public GraphIO {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(type, "type");
    if (name.isEmpty()) {
      throw new IllegalArgumentException("graph input/output name must not be empty");
    }
  }
}
