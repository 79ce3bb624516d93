package io.github.ldm4j.export.onnx;

import java.util.List;
import java.util.Objects;

/**
 * The declared type of a graph input or output: element type and dimensions (an empty list is a
 * scalar, rank 0).
 *
 * @param elementType element type
 * @param dims dimensions, outermost first
 */
public record TensorType(ElementType elementType, List<Dim> dims) {

  /** Copies the dimension list and rejects nulls. */
  public TensorType {
    Objects.requireNonNull(elementType, "elementType");
    dims = List.copyOf(Objects.requireNonNull(dims, "dims"));
  }

  /** A tensor type from its element type and dimensions. */
  public static TensorType of(ElementType elementType, Dim... dims) {
    return new TensorType(elementType, List.of(dims));
  }

  /** The rank (0 for a scalar). */
  public int rank() {
    return dims.size();
  }

  @Override
  public String toString() {
    return elementType + dims.toString();
  }
}
