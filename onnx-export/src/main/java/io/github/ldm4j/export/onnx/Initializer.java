package io.github.ldm4j.export.onnx;

import java.util.List;
import java.util.Objects;

/**
 * A graph initializer: a named constant tensor whose contents are produced lazily.
 *
 * @param name value name
 * @param elementType stored element type
 * @param dims dimensions (empty for a scalar)
 * @param role whether it is a trainable parameter or a structural constant
 * @param values the contents
 */
public record Initializer(String name, ElementType elementType, List<Long> dims, Role role, TensorValues values) {

  /** Whether an initializer counts as a model parameter. */
  public enum Role {
    /** A weight of the modelled network (counted by {@link OnnxGraph#parameterCount()}). */
    PARAMETER,
    /** A structural constant: shapes, axes, tables, norm placeholders (not counted as a parameter). */
    CONSTANT
  }

  /** Validates names, dims and that the contents fit the element type and size. */
  public Initializer {
    Objects.requireNonNull(name, "name");
    if (name.isEmpty()) {
      throw new IllegalArgumentException("initializer name must not be empty");
    }
    Objects.requireNonNull(elementType, "elementType");
    Objects.requireNonNull(role, "role");
    Objects.requireNonNull(values, "values");
    dims = List.copyOf(dims);
    long n = 1;
    for (long d : dims) {
      if (d < 0) {
        throw new IllegalArgumentException("initializer " + name + ": negative dimension in " + dims);
      }
      n = Math.multiplyExact(n, d);
    }
    switch (values) {
      case TensorValues.Floats f -> {
        if (!elementType.isFloatingPoint() && elementType != ElementType.INT8) {
          throw new IllegalArgumentException("initializer " + name + ": float values for element type " + elementType);
        }
      }
      case TensorValues.Longs l -> {
        if (elementType.isFloatingPoint()) {
          throw new IllegalArgumentException("initializer " + name + ": integer values for element type " + elementType);
        }
        if (l.length() != n) {
          throw new IllegalArgumentException(
              "initializer " + name + ": " + l.length() + " values for dims " + dims + " (" + n + " elements)");
        }
      }
    }
  }

  /** Number of elements. */
  public long elementCount() {
    long n = 1;
    for (long d : dims) {
      n *= d;
    }
    return n;
  }

  /** Size of the contents in bytes when stored. */
  public long byteSize() {
    return elementCount() * elementType.byteSize();
  }
}
