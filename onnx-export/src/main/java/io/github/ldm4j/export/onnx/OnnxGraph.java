package io.github.ldm4j.export.onnx;

import java.util.List;
import java.util.Objects;

/**
 * An immutable ONNX graph: declared inputs and outputs, nodes in topological order and lazily
 * valued initializers. Built with {@link GraphBuilder}; serialised with {@link OnnxModelWriter}.
 *
 * @param name graph name
 * @param opsetVersion default-domain opset the nodes are written for
 * @param inputs declared inputs
 * @param outputs declared outputs
 * @param nodes nodes, topologically sorted
 * @param initializers initializers
 */
public record OnnxGraph(String name, int opsetVersion, List<GraphIO> inputs, List<GraphIO> outputs, List<Node> nodes,
    List<Initializer> initializers) {

  /** Copies the lists. */
  public OnnxGraph {
    Objects.requireNonNull(name, "name");
    inputs = List.copyOf(inputs);
    outputs = List.copyOf(outputs);
    nodes = List.copyOf(nodes);
    initializers = List.copyOf(initializers);
  }

  /** Sum of the element counts of all {@link Initializer.Role#PARAMETER} initializers. */
  public long parameterCount() {
    long n = 0;
    for (Initializer init : initializers) {
      if (init.role() == Initializer.Role.PARAMETER) {
        n += init.elementCount();
      }
    }
    return n;
  }

  /** Total stored size of all initializers in bytes. */
  public long initializerBytes() {
    long n = 0;
    for (Initializer init : initializers) {
      n += init.byteSize();
    }
    return n;
  }

  /** The declared input named {@code name}. */
  public GraphIO input(String name) {
    return inputs.stream().filter(io -> io.name().equals(name)).findFirst()
        .orElseThrow(() -> new IllegalArgumentException("graph " + this.name + " has no input '" + name + "'"));
  }

  /** The declared output named {@code name}. */
  public GraphIO output(String name) {
    return outputs.stream().filter(io -> io.name().equals(name)).findFirst()
        .orElseThrow(() -> new IllegalArgumentException("graph " + this.name + " has no output '" + name + "'"));
  }
}
