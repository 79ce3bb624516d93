package io.github.ldm4j.checkpoint.pickle.internal;

import java.util.Arrays;

/**
 * A tensor as {@code torch._utils._rebuild_tensor_v2(storage, offset, size, stride, …)} describes
 * it: a view over a storage, never materialised. Compares by identity (Python tensors hash by
 * {@code id}).
 */
public final class TensorRef {

  private final StorageRef storage;
  private final long offset;
  private final long[] shape;
  private final long[] stride;

  /**
   * @param storage the storage viewed
   * @param offset the first element, in elements from the storage's start
   * @param shape the dimensions
   * @param stride the step, in elements, of each dimension
   */
  public TensorRef(StorageRef storage, long offset, long[] shape, long[] stride) {
    this.storage = storage;
    this.offset = offset;
    this.shape = shape.clone();
    this.stride = stride.clone();
  }

  /** The storage viewed. */
  public StorageRef storage() {
    return storage;
  }

  /** The first element, in elements from the storage's start. */
  public long offset() {
    return offset;
  }

  /** The dimensions (a copy). */
  public long[] shape() {
    return shape.clone();
  }

  /** The strides in elements (a copy). */
  public long[] stride() {
    return stride.clone();
  }

  /**
   * Whether the view is contiguous row-major: every dimension of more than one element steps by the
   * product of the dimensions after it (dimensions of size 1 may have any stride, as in PyTorch).
   */
  public boolean isContiguous() {
    for (long d : shape) {
      if (d == 0) {
        return true;
      }
    }
    long expected = 1;
    for (int i = shape.length - 1; i >= 0; i--) {
      if (shape[i] != 1 && stride[i] != expected) {
        return false;
      }
      if (Math.multiplyHigh(expected, shape[i]) != 0) {
        return false;
      }
      expected *= shape[i];
    }
    return true;
  }

  @Override
  public String toString() {
    return "tensor(" + storage.dtype() + Arrays.toString(shape) + ", storage " + storage.key() + ")";
  }
}
