package io.github.ldm4j.export.onnx;

import java.util.Objects;

/**
 * A named value in a graph under construction: a graph input, an initializer or a node output.
 * The empty name stands for an omitted optional operator input.
 *
 * @param name the ONNX value name
 */
public record Value(String name) {

  /** An omitted optional input (ONNX uses the empty name). */
  public static final Value NONE = new Value("");

  /** Rejects a null name. */
  public Value {
    Objects.requireNonNull(name, "name");
  }
}
