package io.github.ldm4j.export.onnx;

import java.util.List;
import java.util.Objects;

/**
 * One operator application.
 *
 * @param name unique node name
 * @param opType operator, e.g. {@code "Conv"}
 * @param domain operator set domain ({@code ""} for the default ONNX domain)
 * @param inputs input values ({@link Value#NONE} for an omitted optional input)
 * @param outputs output values
 * @param attributes attributes
 */
public record Node(String name, String opType, String domain, List<Value> inputs, List<Value> outputs,
    List<Attribute> attributes) {

  /** Copies lists and rejects nulls. */
  public Node {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(opType, "opType");
    Objects.requireNonNull(domain, "domain");
    inputs = List.copyOf(inputs);
    outputs = List.copyOf(outputs);
    attributes = List.copyOf(attributes);
    if (outputs.isEmpty()) {
      throw new IllegalArgumentException("node " + name + " (" + opType + ") has no outputs");
    }
  }
}
