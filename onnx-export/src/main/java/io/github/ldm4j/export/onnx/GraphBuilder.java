package io.github.ldm4j.export.onnx;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Builds an {@link OnnxGraph} node by node. Values are referred to by {@link Value}; every value
 * a node consumes must already exist (inputs, initializers or earlier node outputs), which keeps
 * the node list topologically sorted. Not thread-safe.
 */
public final class GraphBuilder {

  /** The default-domain opset every generated model targets. */
  public static final int OPSET = 17;

  private final String name;
  private final List<GraphIO> inputs = new ArrayList<>();
  private final List<GraphIO> outputs = new ArrayList<>();
  private final List<Node> nodes = new ArrayList<>();
  private final List<Initializer> initializers = new ArrayList<>();
  private final Set<String> defined = new HashSet<>();
  private final Map<String, Integer> opCounters = new HashMap<>();
  private final Map<List<Long>, Value> int64Constants = new HashMap<>();
  private int constantCounter;

  /** A builder for a graph called {@code name}. */
  public GraphBuilder(String name) {
    if (name == null || name.isBlank()) {
      throw new IllegalArgumentException("graph name must not be blank");
    }
    this.name = name;
  }

  /** Declares a graph input. */
  public Value input(String name, TensorType type) {
    define(name);
    inputs.add(new GraphIO(name, type));
    return new Value(name);
  }

  /** Declares {@code value} as the graph output {@code name} (adding an Identity node if it is named otherwise). */
  public void output(Value value, String name, TensorType type) {
    requireDefined(value, "output " + name);
    Value out = value;
    if (!value.name().equals(name)) {
      define(name);
      nodes.add(new Node(name + "_identity", "Identity", "", List.of(value), List.of(new Value(name)), List.of()));
      out = new Value(name);
    }
    outputs.add(new GraphIO(out.name(), type));
  }

  /** Adds an initializer. */
  public Value initializer(Initializer init) {
    define(init.name());
    initializers.add(init);
    return new Value(init.name());
  }

  /** Adds a trainable parameter of float type {@code type}, with lazily computed values. */
  public Value parameter(String name, ElementType type, long[] dims, TensorValues.FloatFiller values) {
    return initializer(new Initializer(name, type, boxed(dims), Initializer.Role.PARAMETER,
        new TensorValues.Floats(values)));
  }

  /** Adds a structural float constant of type {@code type} with an automatic name. */
  public Value constant(ElementType type, long[] dims, TensorValues values) {
    return initializer(new Initializer(nextConstantName(), type, boxed(dims), Initializer.Role.CONSTANT, values));
  }

  /** A structural constant with a chosen name. */
  public Value constant(String name, ElementType type, long[] dims, TensorValues values) {
    return initializer(new Initializer(name, type, boxed(dims), Initializer.Role.CONSTANT, values));
  }

  /** A 1-D INT64 constant (shared between uses of the same values). */
  public Value int64s(long... values) {
    List<Long> key = boxed(values);
    Value v = int64Constants.get(key);
    if (v == null) {
      v = constant(ElementType.INT64, new long[] {values.length}, TensorValues.ofLongs(values));
      int64Constants.put(key, v);
    }
    return v;
  }

  /** Adds a single-output node and returns its output. */
  public Value op(String opType, List<Value> inputs, Attribute... attributes) {
    return op(opType, 1, inputs, attributes).getFirst();
  }

  /** Adds a node with {@code outputCount} outputs and returns them. */
  public List<Value> op(String opType, int outputCount, List<Value> inputs, Attribute... attributes) {
    if (outputCount < 1) {
      throw new IllegalArgumentException("outputCount must be >= 1, got " + outputCount);
    }
    int n = opCounters.merge(opType, 1, Integer::sum);
    String nodeName = opType + "_" + n;
    for (Value in : inputs) {
      if (!in.equals(Value.NONE)) {
        requireDefined(in, "input of " + nodeName);
      }
    }
    List<Value> outs = new ArrayList<>(outputCount);
    for (int i = 0; i < outputCount; i++) {
      String outName = nodeName + (outputCount == 1 ? "" : "_" + i) + "_out";
      define(outName);
      outs.add(new Value(outName));
    }
    nodes.add(new Node(nodeName, opType, "", inputs, outs, Arrays.asList(attributes)));
    return outs;
  }

  /** The finished graph. */
  public OnnxGraph build() {
    if (outputs.isEmpty()) {
      throw new IllegalStateException("graph " + name + " declares no outputs");
    }
    return new OnnxGraph(name, OPSET, inputs, outputs, nodes, initializers);
  }

  private String nextConstantName() {
    String n;
    do {
      n = "const_" + constantCounter++;
    } while (defined.contains(n));
    return n;
  }

  private void define(String valueName) {
    if (valueName.isEmpty()) {
      throw new IllegalArgumentException("value name must not be empty");
    }
    if (!defined.add(valueName)) {
      throw new IllegalArgumentException("value '" + valueName + "' is already defined in graph " + name);
    }
  }

  private void requireDefined(Value v, String where) {
    if (!defined.contains(v.name())) {
      throw new IllegalArgumentException("unknown value '" + v.name() + "' used as " + where + " in graph " + name);
    }
  }

  private static List<Long> boxed(long[] dims) {
    List<Long> list = new ArrayList<>(dims.length);
    for (long d : dims) {
      list.add(d);
    }
    return list;
  }
}
