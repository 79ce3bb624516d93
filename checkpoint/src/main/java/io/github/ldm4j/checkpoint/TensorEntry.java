package io.github.ldm4j.checkpoint;

import java.util.Arrays;
import java.util.Objects;

/**
 * One tensor of a checkpoint as its file declares it: name, element type and shape. The bytes are
 * read through the {@link StateDict} it came from.
 *
 * @param name the key in the state dict ({@code model.diffusion_model.input_blocks.0.0.weight})
 * @param dtype the element type
 * @param shape the dimensions ({@code []} for a 0-d tensor)
 */
public record TensorEntry(String name, DType dtype, long[] shape) {

  /** Validates and copies. */
  public TensorEntry {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(dtype, "dtype");
    shape = shape.clone();
    for (long d : shape) {
      if (d < 0) {
        throw new IllegalArgumentException("tensor '" + name + "' has a negative dimension: " + Arrays.toString(shape));
      }
    }
  }

  @Override
  public long[] shape() {
    return shape.clone();
  }

  /** The number of elements (1 for a 0-d tensor). */
  public long elements() {
    long n = 1;
    for (long d : shape) {
      n = Math.multiplyExact(n, d);
    }
    return n;
  }

  /** The number of bytes of the data. */
  public long byteSize() {
    return Math.multiplyExact(elements(), dtype.bytes());
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof TensorEntry t && name.equals(t.name) && dtype == t.dtype && Arrays.equals(shape, t.shape);
  }

  @Override
  public int hashCode() {
    return name.hashCode() * 31 + Arrays.hashCode(shape);
  }

  @Override
  public String toString() {
    return name + ":" + dtype + Arrays.toString(shape);
  }
}
