package io.github.ldm4j.backend.onnx.internal;

import ai.onnxruntime.OnnxJavaType;
import io.github.ldm4j.spi.contract.PortType;
import io.github.ldm4j.spi.contract.TensorPort;
import java.util.Arrays;

/**
 * One input or output of a session as its metadata declares it; −1 marks a dynamic dimension.
 *
 * @param name the tensor name
 * @param type the element type
 * @param shape the declared dimensions (−1 = dynamic)
 */
public record Port(String name, OnnxJavaType type, long[] shape) {

  /** Copies the shape. */
  public Port {
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
    return type == OnnxJavaType.FLOAT || type == OnnxJavaType.FLOAT16;
  }

  /** This port as the backend-neutral contract port. */
  public TensorPort toContract() {
    PortType t = switch (type) {
      case FLOAT -> PortType.FLOAT32;
      case FLOAT16 -> PortType.FLOAT16;
      case INT32 -> PortType.INT32;
      case INT64 -> PortType.INT64;
      default -> PortType.OTHER;
    };
    return new TensorPort(name, t, shape);
  }

  @Override
  public String toString() {
    return name + ":" + type + Arrays.toString(shape);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Port p && name.equals(p.name) && type == p.type && Arrays.equals(shape, p.shape);
  }

  @Override
  public int hashCode() {
    return name.hashCode() * 31 + Arrays.hashCode(shape);
  }
}
