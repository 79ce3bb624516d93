package io.github.ldm4j.tensor;

import java.util.Arrays;

/**
 * The dimensions of a contiguous, row-major tensor, outermost first (e.g. {@code [B, C, H, W]}).
 *
 * <p>Immutable: the array given is copied and {@link #dims()} returns a copy. Every dimension is
 * at least 1 and the element count must fit in an {@code int}.
 *
 * @param dims the dimensions
 */
public record Shape(int[] dims) {

  /** Validates and copies the dimensions. */
  public Shape {
    if (dims == null) {
      throw new IllegalArgumentException("shape dims must not be null");
    }
    dims = dims.clone();
    long n = 1;
    for (int i = 0; i < dims.length; i++) {
      if (dims[i] < 1) {
        throw new IllegalArgumentException(
            "shape " + Arrays.toString(dims) + ": dimension " + i + " is " + dims[i] + ", expected >= 1");
      }
      n *= dims[i];
      if (n > Integer.MAX_VALUE) {
        throw new IllegalArgumentException(
            "shape " + Arrays.toString(dims) + " has more than " + Integer.MAX_VALUE + " elements");
      }
    }
  }

  /** Shorthand for {@code new Shape(dims)}. */
  public static Shape of(int... dims) {
    return new Shape(dims);
  }

  /** Returns a copy of the dimensions. */
  @Override
  public int[] dims() {
    return dims.clone();
  }

  /** Number of dimensions. */
  public int rank() {
    return dims.length;
  }

  /** Dimension {@code axis}; negative axes count from the end. */
  public int dim(int axis) {
    return dims[normalizeAxis(axis)];
  }

  /** Total number of elements (1 for a rank-0 shape). */
  public int size() {
    int n = 1;
    for (int d : dims) {
      n *= d;
    }
    return n;
  }

  /** Dimensions as {@code long[]}, the form ONNX Runtime and OpenVINO take. */
  public long[] toLongArray() {
    long[] out = new long[dims.length];
    for (int i = 0; i < dims.length; i++) {
      out[i] = dims[i];
    }
    return out;
  }

  /** A copy with dimension {@code axis} replaced by {@code value}. */
  public Shape withDim(int axis, int value) {
    int[] d = dims.clone();
    d[normalizeAxis(axis)] = value;
    return new Shape(d);
  }

  /** Number of elements in one slice along axis 0 (1 for rank 0). */
  public int strideOfFirstAxis() {
    return dims.length == 0 ? 1 : size() / dims[0];
  }

  int normalizeAxis(int axis) {
    int a = axis < 0 ? axis + dims.length : axis;
    if (a < 0 || a >= dims.length) {
      throw new IllegalArgumentException("axis " + axis + " out of range for shape " + this);
    }
    return a;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Shape s && Arrays.equals(dims, s.dims);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(dims);
  }

  @Override
  public String toString() {
    return Arrays.toString(dims);
  }
}
