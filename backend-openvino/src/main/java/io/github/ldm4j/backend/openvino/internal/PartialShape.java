package io.github.ldm4j.backend.openvino.internal;

import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.SegmentAllocator;
import java.util.Arrays;

/**
 * A port's shape as OpenVINO reports it: a rank (static or dynamic) and per-dimension bounds.
 * Dimensions are {@code −1} where dynamic (an interval rather than one value).
 *
 * @param dynamicRank whether even the rank is unknown (then {@code dims} is empty)
 * @param dims the dimensions, −1 where dynamic
 */
@SuppressWarnings("restricted")
public record PartialShape(boolean dynamicRank, long[] dims) {

  /** A dynamic dimension. */
  public static final long DYNAMIC = -1;

  /** Validates and copies. */
  public PartialShape {
    dims = dims.clone();
    if (dynamicRank && dims.length > 0) {
      throw new IllegalArgumentException("a dynamic-rank shape has no dimensions");
    }
    for (long d : dims) {
      if (d < DYNAMIC) {
        throw new IllegalArgumentException("dimensions must be >= 0 or -1 (dynamic), got " + Arrays.toString(dims));
      }
    }
  }

  /** A fully static shape. */
  public static PartialShape of(long... dims) {
    for (long d : dims) {
      if (d < 0) {
        throw new IllegalArgumentException("static dimensions must be >= 0, got " + Arrays.toString(dims));
      }
    }
    return new PartialShape(false, dims);
  }

  @Override
  public long[] dims() {
    return dims.clone();
  }

  /** The rank; −1 when dynamic. */
  public int rank() {
    return dynamicRank ? -1 : dims.length;
  }

  /** Dimension {@code i} if static, else −1. */
  public long dim(int i) {
    return dynamicRank || i >= dims.length ? DYNAMIC : dims[i];
  }

  /** Whether the rank and every dimension are static. */
  public boolean isStatic() {
    if (dynamicRank) {
      return false;
    }
    for (long d : dims) {
      if (d == DYNAMIC) {
        return false;
      }
    }
    return true;
  }

  /** Whether {@code shape} fits: same rank, equal where this shape is static. */
  public boolean accepts(long[] shape) {
    if (dynamicRank) {
      return true;
    }
    if (shape.length != dims.length) {
      return false;
    }
    for (int i = 0; i < dims.length; i++) {
      if (dims[i] != DYNAMIC && dims[i] != shape[i]) {
        return false;
      }
    }
    return true;
  }

  /** Reads an {@code ov_partial_shape_t} (does not free it). */
  static PartialShape read(MemorySegment ps) {
    long rankMin = (long) OvLayouts.PARTIAL_RANK_MIN.get(ps, 0L);
    long rankMax = (long) OvLayouts.PARTIAL_RANK_MAX.get(ps, 0L);
    if (rankMin != rankMax || rankMin < 0) {
      return new PartialShape(true, new long[0]);
    }
    MemorySegment dims = ((MemorySegment) OvLayouts.PARTIAL_DIMS.get(ps, 0L))
        .reinterpret(rankMin * OvLayouts.DIMENSION.byteSize());
    long[] out = new long[(int) rankMin];
    for (int i = 0; i < out.length; i++) {
      long off = i * OvLayouts.DIMENSION.byteSize();
      long min = (long) OvLayouts.DIM_MIN.get(dims, off);
      long max = (long) OvLayouts.DIM_MAX.get(dims, off);
      out[i] = min == max && min >= 0 ? min : DYNAMIC;
    }
    return new PartialShape(false, out);
  }

  /**
   * Writes this shape as an {@code ov_partial_shape_t} at {@code target} (dimensions in {@code
   * allocator}): dynamic dimensions as the interval [0, −1].
   */
  void write(MemorySegment target, SegmentAllocator allocator) {
    if (dynamicRank) {
      OvLayouts.PARTIAL_RANK_MIN.set(target, 0L, 0L);
      OvLayouts.PARTIAL_RANK_MAX.set(target, 0L, -1L);
      OvLayouts.PARTIAL_DIMS.set(target, 0L, MemorySegment.NULL);
      return;
    }
    OvLayouts.PARTIAL_RANK_MIN.set(target, 0L, (long) dims.length);
    OvLayouts.PARTIAL_RANK_MAX.set(target, 0L, (long) dims.length);
    MemorySegment ds = allocator.allocate(OvLayouts.DIMENSION, Math.max(1, dims.length));
    for (int i = 0; i < dims.length; i++) {
      long off = i * OvLayouts.DIMENSION.byteSize();
      OvLayouts.DIM_MIN.set(ds, off, dims[i] == DYNAMIC ? 0L : dims[i]);
      OvLayouts.DIM_MAX.set(ds, off, dims[i]);
    }
    OvLayouts.PARTIAL_DIMS.set(target, 0L, ds);
  }

  /** Writes a static shape as an {@code ov_shape_t} in {@code allocator}. */
  static MemorySegment writeShape(long[] shape, SegmentAllocator allocator) {
    MemorySegment s = allocator.allocate(OvLayouts.SHAPE);
    MemorySegment dims = allocator.allocate(JAVA_LONG, Math.max(1, shape.length));
    MemorySegment.copy(shape, 0, dims, JAVA_LONG, 0, shape.length);
    OvLayouts.SHAPE_RANK.set(s, 0L, (long) shape.length);
    OvLayouts.SHAPE_DIMS.set(s, 0L, dims);
    return s;
  }

  /** Reads an {@code ov_shape_t} (does not free it). */
  static long[] readShape(MemorySegment s) {
    long rank = (long) OvLayouts.SHAPE_RANK.get(s, 0L);
    if (rank < 0 || rank > 64) {
      throw new IllegalStateException("OpenVINO returned a shape of rank " + rank);
    }
    MemorySegment dims = ((MemorySegment) OvLayouts.SHAPE_DIMS.get(s, 0L)).reinterpret(rank * JAVA_LONG.byteSize());
    return dims.toArray(JAVA_LONG);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof PartialShape p && p.dynamicRank == dynamicRank && Arrays.equals(p.dims, dims);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(dims) * 2 + (dynamicRank ? 1 : 0);
  }

  @Override
  public String toString() {
    if (dynamicRank) {
      return "[...]";
    }
    StringBuilder b = new StringBuilder("[");
    for (int i = 0; i < dims.length; i++) {
      b.append(i == 0 ? "" : ",").append(dims[i] == DYNAMIC ? "?" : Long.toString(dims[i]));
    }
    return b.append(']').toString();
  }
}
