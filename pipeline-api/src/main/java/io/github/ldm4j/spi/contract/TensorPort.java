package io.github.ldm4j.spi.contract;

import java.util.Arrays;
import java.util.Objects;

/**
 * One input or output of a network as its runtime declares it; −1 marks a dynamic dimension.
 *
 * @param name the tensor name
 * @param type the element type
 * @param shape the declared dimensions (−1 = dynamic)
 */
public record TensorPort(String name, PortType type, long[] shape) {

  /** Validates and copies the shape. */
  public TensorPort {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(type, "type");
    shape = shape.clone();
  }

  @Override
  public long[] shape() {
    return shape.clone();
  }

  /** Declared rank. */
  public int rank() {
    return shape.length;
  }

  /** Dimension {@code i} if static (&gt; 0), else −1. */
  public long staticDim(int i) {
    return i < shape.length && shape[i] > 0 ? shape[i] : -1;
  }

  /** Whether the element type is float32 or float16. */
  public boolean isFloating() {
    return type.isFloating();
  }

  @Override
  public String toString() {
    return name + ":" + type + Arrays.toString(shape);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof TensorPort p && name.equals(p.name) && type == p.type && Arrays.equals(shape, p.shape);
  }

  @Override
  public int hashCode() {
    return name.hashCode() * 31 + Arrays.hashCode(shape);
  }
}
