package io.github.ldm4j.tensor;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.Objects;
import java.util.function.DoubleBinaryOperator;
import java.util.function.DoubleUnaryOperator;

/**
 * A contiguous, row-major tensor of 32-bit floats held in off-heap memory.
 *
 * <p><b>Memory ownership.</b> A tensor never owns a native resource that needs closing; its memory
 * belongs to an {@link Arena}:
 *
 * <ul>
 *   <li>{@link #zeros}, {@link #of}, {@link #full} and every operation that returns a new tensor
 *       allocate in an {@linkplain Arena#ofAuto() automatic arena}: the garbage collector frees the
 *       memory once no tensor (or view, or buffer obtained from {@link #asFloatBuffer()}) refers to
 *       it. This is the default because samplers create short-lived intermediates every step.
 *   <li>{@link #allocate(Arena, Shape)} allocates in the caller's arena; the caller frees the memory
 *       by closing that arena, after which any access to the tensor throws {@link
 *       IllegalStateException}.
 *   <li>{@link #wrap(MemorySegment, Shape)} adopts memory owned elsewhere (a native runtime's output,
 *       a mapped file); the owner of that memory decides its lifetime.
 * </ul>
 *
 * Views ({@link #reshape}, {@link #batches}) share memory with the tensor they come from.
 *
 * <p><b>Cost of allocation.</b> Memory of an automatic arena goes back to the system only after a
 * garbage collection has found its tensors unreachable, and meanwhile counts against {@code
 * -XX:MaxDirectMemorySize} (by default the maximum heap size). Small Java objects hold large native
 * blocks here, so collections come rarely and new tensors touch fresh memory: with default JVM
 * flags a [2, 4, 64, 64] tensor costs about 0.5 ms in a tight loop, against about 11 µs with
 * {@code -XX:MaxDirectMemorySize=1g} and about 20 µs for one arithmetic pass (see
 * docs/benchmarks.md). Loops that run many passes per step can reuse tensors with the in-place
 * operations ({@link #setLincomb}, {@link #addScaledInPlace}, {@link #scaleInPlace}, {@link
 * #mapInPlace}, {@link #copyFrom}) or allocate in a confined arena they close.
 *
 * <p>The memory is in native byte order and 64-byte aligned when allocated here, so {@link
 * #segment()} and {@link #asFloatBuffer()} can be handed to ONNX Runtime or OpenVINO without a
 * copy.
 *
 * <p>Not thread-safe for concurrent writes; concurrent reads are safe.
 */
public final class Tensor {

  private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED;
  private static final long ALIGNMENT = 64;

  private final MemorySegment data;
  private final Shape shape;
  private final int size;

  private Tensor(MemorySegment data, Shape shape) {
    this.data = data;
    this.shape = shape;
    this.size = shape.size();
  }

  // ---------------------------------------------------------------- creation

  /** A new zero-filled tensor in an automatic (GC-owned) arena. */
  public static Tensor zeros(Shape shape) {
    return allocate(Arena.ofAuto(), shape);
  }

  /** A new zero-filled tensor in an automatic (GC-owned) arena. */
  public static Tensor zeros(int... dims) {
    return zeros(Shape.of(dims));
  }

  /**
   * A new zero-filled tensor whose memory belongs to {@code arena}: it lives until the arena is
   * closed.
   */
  public static Tensor allocate(Arena arena, Shape shape) {
    Objects.requireNonNull(arena, "arena");
    Objects.requireNonNull(shape, "shape");
    MemorySegment seg = arena.allocate(Math.max(4L, (long) shape.size() * Float.BYTES), ALIGNMENT);
    return new Tensor(seg, shape);
  }

  /** A new tensor with every element equal to {@code value}. */
  public static Tensor full(Shape shape, float value) {
    Tensor t = zeros(shape);
    t.fill(value);
    return t;
  }

  /** A new tensor holding a copy of {@code values} with the given dimensions. */
  public static Tensor of(float[] values, int... dims) {
    return of(Shape.of(dims), values);
  }

  /** A new tensor holding a copy of {@code values} with the given shape. */
  public static Tensor of(Shape shape, float[] values) {
    Objects.requireNonNull(shape, "shape");
    Objects.requireNonNull(values, "values");
    if (values.length != shape.size()) {
      throw new IllegalArgumentException(
          values.length + " values given for shape " + shape + ", expected " + shape.size());
    }
    Tensor t = zeros(shape);
    MemorySegment.copy(values, 0, t.data, F32, 0, values.length);
    return t;
  }

  /**
   * A tensor over existing memory, not copied. The memory must hold at least {@code shape.size()}
   * floats in native byte order; its owner decides how long it stays valid.
   */
  public static Tensor wrap(MemorySegment segment, Shape shape) {
    Objects.requireNonNull(segment, "segment");
    Objects.requireNonNull(shape, "shape");
    long need = (long) shape.size() * Float.BYTES;
    if (segment.byteSize() < need) {
      throw new IllegalArgumentException(
          "segment of " + segment.byteSize() + " bytes is too small for shape " + shape + " (" + need + " bytes)");
    }
    return new Tensor(segment.asSlice(0, need), shape);
  }

  // ---------------------------------------------------------------- shape and access

  /** The shape. */
  public Shape shape() {
    return shape;
  }

  /** Number of elements. */
  public int size() {
    return size;
  }

  /** Number of dimensions. */
  public int rank() {
    return shape.rank();
  }

  /** Dimension {@code axis} (negative counts from the end). */
  public int dim(int axis) {
    return shape.dim(axis);
  }

  /** The memory, {@code size() * 4} bytes in native byte order. */
  public MemorySegment segment() {
    return data;
  }

  /** A direct float buffer over the same memory (no copy), native byte order. */
  public FloatBuffer asFloatBuffer() {
    return data.asByteBuffer().order(ByteOrder.nativeOrder()).asFloatBuffer();
  }

  /** Element at flat (row-major) index {@code i}. */
  public float get(int i) {
    return data.getAtIndex(F32, i);
  }

  /** Sets the element at flat index {@code i}. */
  public void set(int i, float value) {
    data.setAtIndex(F32, i, value);
  }

  /** Element at the multi-index {@code idx} (one index per dimension). */
  public float at(int... idx) {
    return get(flatIndex(idx));
  }

  /** Flat row-major index of a multi-index, bounds-checked. */
  public int flatIndex(int... idx) {
    if (idx.length != shape.rank()) {
      throw new IllegalArgumentException(
          idx.length + " indices given for a tensor of rank " + shape.rank() + " " + shape);
    }
    int flat = 0;
    for (int a = 0; a < idx.length; a++) {
      int d = shape.dim(a);
      if (idx[a] < 0 || idx[a] >= d) {
        throw new IndexOutOfBoundsException("index " + idx[a] + " on axis " + a + " of shape " + shape);
      }
      flat = flat * d + idx[a];
    }
    return flat;
  }

  /** A heap copy of the elements. */
  public float[] toArray() {
    return data.toArray(F32);
  }

  /** A deep copy in new (automatic-arena) memory. */
  public Tensor copy() {
    Tensor t = zeros(shape);
    MemorySegment.copy(data, 0, t.data, 0, (long) size * Float.BYTES);
    return t;
  }

  /** A view with another shape of the same element count, sharing memory. */
  public Tensor reshape(Shape newShape) {
    if (newShape.size() != size) {
      throw new IllegalArgumentException("cannot reshape " + shape + " to " + newShape + ": element counts differ");
    }
    return new Tensor(data, newShape);
  }

  /** A view with another shape of the same element count, sharing memory. */
  public Tensor reshape(int... dims) {
    return reshape(Shape.of(dims));
  }

  /** Size of axis 0, the batch axis. */
  public int batchSize() {
    requireRankAtLeast(1);
    return shape.dim(0);
  }

  /** View of batch items {@code [from, to)} along axis 0, sharing memory. */
  public Tensor batches(int from, int to) {
    requireRankAtLeast(1);
    int b = shape.dim(0);
    if (from < 0 || to > b || from >= to) {
      throw new IndexOutOfBoundsException("batch range [" + from + ", " + to + ") of " + b);
    }
    int stride = shape.strideOfFirstAxis();
    MemorySegment slice = data.asSlice((long) from * stride * Float.BYTES, (long) (to - from) * stride * Float.BYTES);
    return new Tensor(slice, shape.withDim(0, to - from));
  }

  /** View of batch item {@code index}, keeping axis 0 with size 1. */
  public Tensor batch(int index) {
    return batches(index, index + 1);
  }

  /**
   * Concatenates tensors along {@code axis}; all other dimensions must agree. Conditioning uses
   * axis 1 (channels, the {@code concat} key; tokens for long prompts) and axis 0 (batch).
   */
  public static Tensor concat(int axis, Tensor... parts) {
    if (parts.length == 0) {
      throw new IllegalArgumentException("concat needs at least one tensor");
    }
    Shape first = parts[0].shape;
    int a = first.normalizeAxis(axis);
    int total = 0;
    for (Tensor p : parts) {
      if (p.rank() != first.rank()) {
        throw new IllegalArgumentException("concat: rank of " + p.shape + " differs from " + first);
      }
      for (int i = 0; i < first.rank(); i++) {
        if (i != a && p.shape.dim(i) != first.dim(i)) {
          throw new IllegalArgumentException(
              "concat along axis " + a + ": shape " + p.shape + " does not match " + first + " on axis " + i);
        }
      }
      total += p.shape.dim(a);
    }
    Tensor out = zeros(first.withDim(a, total));
    int outer = 1;
    for (int i = 0; i < a; i++) {
      outer *= first.dim(i);
    }
    long outBlock = (long) out.size / outer * Float.BYTES;
    for (int o = 0; o < outer; o++) {
      long dst = o * outBlock;
      for (Tensor p : parts) {
        long block = (long) p.size / outer * Float.BYTES;
        MemorySegment.copy(p.data, o * block, out.data, dst, block);
        dst += block;
      }
    }
    return out;
  }

  /**
   * Splits along axis 0 into {@code n} equal views (e.g. the unconditional and conditional halves
   * of a guided batch).
   */
  public Tensor[] splitBatch(int n) {
    int b = batchSize();
    if (n < 1 || b % n != 0) {
      throw new IllegalArgumentException("cannot split batch of " + b + " into " + n + " equal parts");
    }
    Tensor[] out = new Tensor[n];
    int step = b / n;
    for (int i = 0; i < n; i++) {
      out[i] = batches(i * step, (i + 1) * step);
    }
    return out;
  }

  // ---------------------------------------------------------------- validation

  /** Throws unless the shape equals {@code expected}; {@code what} names the tensor in the message. */
  public Tensor requireShape(String what, Shape expected) {
    if (!shape.equals(expected)) {
      throw new IllegalArgumentException(what + ": expected shape " + expected + ", got " + shape);
    }
    return this;
  }

  /** Throws unless both tensors have the same shape. */
  public void requireSameShape(String what, Tensor other) {
    if (!shape.equals(other.shape)) {
      throw new IllegalArgumentException(what + ": shape " + other.shape + " does not match " + shape);
    }
  }

  /** True when no element is NaN or infinite. */
  public boolean allFinite() {
    for (int i = 0; i < size; i++) {
      if (!Float.isFinite(get(i))) {
        return false;
      }
    }
    return true;
  }

  /** Throws {@link IllegalArgumentException} naming {@code what} if any element is NaN or infinite. */
  public Tensor requireFinite(String what) {
    for (int i = 0; i < size; i++) {
      float v = get(i);
      if (!Float.isFinite(v)) {
        throw new IllegalArgumentException(what + " contains a non-finite value (" + v + ") at flat index " + i + " of shape " + shape);
      }
    }
    return this;
  }

  private void requireRankAtLeast(int r) {
    if (shape.rank() < r) {
      throw new IllegalArgumentException("operation needs rank >= " + r + ", tensor has shape " + shape);
    }
  }

  // ---------------------------------------------------------------- arithmetic (new tensors)

  /** {@code this + other}. */
  public Tensor add(Tensor other) {
    return lincomb(1, this, 1, other);
  }

  /** {@code this - other}. */
  public Tensor sub(Tensor other) {
    return lincomb(1, this, -1, other);
  }

  /** Element-wise {@code this * other}. */
  public Tensor mul(Tensor other) {
    return zip(other, (x, y) -> x * y);
  }

  /** Element-wise {@code this / other}. */
  public Tensor div(Tensor other) {
    return zip(other, (x, y) -> x / y);
  }

  /** {@code s * this}. */
  public Tensor scale(double s) {
    Tensor out = zeros(shape);
    scale(out.data, s, data, 0, size);
    return out;
  }

  /** {@code this + c}. */
  public Tensor addScalar(double c) {
    Tensor out = zeros(shape);
    MemorySegment src = data;
    MemorySegment dst = out.data;
    for (int i = 0, n = size; i < n; i++) {
      dst.setAtIndex(F32, i, (float) (src.getAtIndex(F32, i) + c));
    }
    return out;
  }

  /** {@code a * x + b * y}, computed in double per element and rounded once. */
  public static Tensor lincomb(double a, Tensor x, double b, Tensor y) {
    x.requireSameShape("lincomb", y);
    Tensor out = zeros(x.shape);
    lincomb(out.data, a, x.data, b, y.data, 0, x.size);
    return out;
  }

  /** {@code a * x + b * y + c * z}, computed in double per element and rounded once. */
  public static Tensor lincomb(double a, Tensor x, double b, Tensor y, double c, Tensor z) {
    x.requireSameShape("lincomb", y);
    x.requireSameShape("lincomb", z);
    Tensor out = zeros(x.shape);
    lincomb(out.data, a, x.data, b, y.data, c, z.data, x.size);
    return out;
  }

  /**
   * {@code a * x + b * y + c * z + d * w}, computed in double per element (summed left to right)
   * and rounded once.
   */
  public static Tensor lincomb(
      double a, Tensor x, double b, Tensor y, double c, Tensor z, double d, Tensor w) {
    x.requireSameShape("lincomb", y);
    x.requireSameShape("lincomb", z);
    x.requireSameShape("lincomb", w);
    Tensor out = zeros(x.shape);
    MemorySegment xs = x.data;
    MemorySegment ys = y.data;
    MemorySegment zs = z.data;
    MemorySegment ws = w.data;
    MemorySegment dst = out.data;
    for (int i = 0, n = x.size; i < n; i++) {
      dst.setAtIndex(
          F32,
          i,
          (float)
              (a * xs.getAtIndex(F32, i)
                  + b * ys.getAtIndex(F32, i)
                  + c * zs.getAtIndex(F32, i)
                  + d * ws.getAtIndex(F32, i)));
    }
    return out;
  }

  /**
   * {@code Σ coefficients[k] * terms[k]} for any number of terms (at least one), in double per
   * element and rounded once: one term is {@link #scale}, two to four are the fixed-arity
   * overloads, and more are summed from 0 in term order.
   *
   * @throws IllegalArgumentException unless there are as many coefficients as terms, at least one,
   *     all terms shaped alike
   */
  public static Tensor lincomb(double[] coefficients, Tensor[] terms) {
    if (coefficients.length != terms.length || terms.length == 0) {
      throw new IllegalArgumentException(
          "lincomb needs as many coefficients as terms (at least one), got "
              + coefficients.length
              + " and "
              + terms.length);
    }
    double[] c = coefficients;
    Tensor[] t = terms;
    return switch (t.length) {
      case 1 -> t[0].scale(c[0]);
      case 2 -> lincomb(c[0], t[0], c[1], t[1]);
      case 3 -> lincomb(c[0], t[0], c[1], t[1], c[2], t[2]);
      case 4 -> lincomb(c[0], t[0], c[1], t[1], c[2], t[2], c[3], t[3]);
      default -> lincombOfMany(c, t);
    };
  }

  private static Tensor lincombOfMany(double[] c, Tensor[] t) {
    for (int k = 1; k < t.length; k++) {
      t[0].requireSameShape("lincomb", t[k]);
    }
    Tensor out = zeros(t[0].shape);
    for (int i = 0, n = t[0].size; i < n; i++) {
      double s = 0;
      for (int k = 0; k < t.length; k++) {
        s += c[k] * t[k].data.getAtIndex(F32, i);
      }
      out.data.setAtIndex(F32, i, (float) s);
    }
    return out;
  }

  /**
   * Sets this tensor to {@code a * x + b * y} (computed in double per element, rounded once)
   * without allocating; {@code x} and {@code y} may be this tensor. Returns this.
   */
  public Tensor setLincomb(double a, Tensor x, double b, Tensor y) {
    requireSameShape("setLincomb", x);
    requireSameShape("setLincomb", y);
    lincomb(data, a, x.data, b, y.data, 0, size);
    return this;
  }

  /**
   * Sets this tensor to {@code a * x + b * y + c * z} (computed in double per element, rounded
   * once) without allocating; any operand may be this tensor. Returns this.
   */
  public Tensor setLincomb(double a, Tensor x, double b, Tensor y, double c, Tensor z) {
    requireSameShape("setLincomb", x);
    requireSameShape("setLincomb", y);
    requireSameShape("setLincomb", z);
    lincomb(data, a, x.data, b, y.data, c, z.data, size);
    return this;
  }

  /** Applies {@code f} to every element, into a new tensor. */
  public Tensor map(DoubleUnaryOperator f) {
    Objects.requireNonNull(f, "f");
    Tensor out = zeros(shape);
    map(out.data, f, data, size);
    return out;
  }

  /** Combines corresponding elements with {@code f}, into a new tensor. */
  public Tensor zip(Tensor other, DoubleBinaryOperator f) {
    requireSameShape("zip", other);
    Objects.requireNonNull(f, "f");
    Tensor out = zeros(shape);
    MemorySegment x = data;
    MemorySegment y = other.data;
    MemorySegment dst = out.data;
    for (int i = 0, n = size; i < n; i++) {
      dst.setAtIndex(F32, i, (float) f.applyAsDouble(x.getAtIndex(F32, i), y.getAtIndex(F32, i)));
    }
    return out;
  }

  /**
   * {@code a[n] * x + b[n] * y} for each batch item {@code n}: per-sample coefficients broadcast
   * over all other axes (CompVis {@code extract_into_tensor}).
   */
  public static Tensor lincombPerBatch(double[] a, Tensor x, double[] b, Tensor y) {
    x.requireSameShape("lincombPerBatch", y);
    int n = x.batchSize();
    if (a.length != n || b.length != n) {
      throw new IllegalArgumentException(
          "lincombPerBatch: " + a.length + " and " + b.length + " coefficients for a batch of " + n);
    }
    int stride = x.shape.strideOfFirstAxis();
    Tensor out = zeros(x.shape);
    for (int k = 0; k < n; k++) {
      lincomb(out.data, a[k], x.data, b[k], y.data, k * stride, (k + 1) * stride);
    }
    return out;
  }

  /**
   * Multiplies batch item {@code b} by {@code coefficients[b]} (a per-sample scalar broadcast over
   * all other axes, as CompVis {@code extract_into_tensor} does).
   */
  public Tensor scalePerBatch(double[] coefficients) {
    int b = batchSize();
    if (coefficients.length != b) {
      throw new IllegalArgumentException(coefficients.length + " coefficients for a batch of " + b);
    }
    int stride = shape.strideOfFirstAxis();
    Tensor out = zeros(shape);
    for (int n = 0; n < b; n++) {
      scale(out.data, coefficients[n], data, n * stride, (n + 1) * stride);
    }
    return out;
  }

  // ---------------------------------------------------------------- arithmetic (in place)

  /** Sets every element to {@code value}; returns this. */
  public Tensor fill(float value) {
    if (Float.floatToRawIntBits(value) == 0) {
      data.fill((byte) 0);
    } else {
      MemorySegment dst = data;
      for (int i = 0, n = size; i < n; i++) {
        dst.setAtIndex(F32, i, value);
      }
    }
    return this;
  }

  /** Copies {@code source} (same shape) into this tensor; returns this. */
  public Tensor copyFrom(Tensor source) {
    requireSameShape("copyFrom", source);
    MemorySegment.copy(source.data, 0, data, 0, (long) size * Float.BYTES);
    return this;
  }

  /** {@code this += s * other}; returns this. */
  public Tensor addScaledInPlace(Tensor other, double s) {
    requireSameShape("addScaledInPlace", other);
    lincomb(data, 1, data, s, other.data, 0, size);
    return this;
  }

  /** {@code this *= s}; returns this. */
  public Tensor scaleInPlace(double s) {
    scale(data, s, data, 0, size);
    return this;
  }

  /** Applies {@code f} to every element in place; returns this. */
  public Tensor mapInPlace(DoubleUnaryOperator f) {
    Objects.requireNonNull(f, "f");
    map(data, f, data, size);
    return this;
  }

  // ---------------------------------------------------------------- reductions

  /** Sum of all elements, accumulated in double. */
  public double sum() {
    MemorySegment x = data;
    int n = size;
    // Four independent accumulators: the additions pipeline instead of waiting on each other.
    double s0 = 0;
    double s1 = 0;
    double s2 = 0;
    double s3 = 0;
    int i = 0;
    for (; i + 4 <= n; i += 4) {
      s0 += x.getAtIndex(F32, i);
      s1 += x.getAtIndex(F32, i + 1);
      s2 += x.getAtIndex(F32, i + 2);
      s3 += x.getAtIndex(F32, i + 3);
    }
    for (; i < n; i++) {
      s0 += x.getAtIndex(F32, i);
    }
    return (s0 + s1) + (s2 + s3);
  }

  /** Mean of all elements. */
  public double mean() {
    return sum() / size;
  }

  /** Population variance of all elements (two-pass, in double). */
  public double variance() {
    double m = mean();
    MemorySegment x = data;
    int n = size;
    double s0 = 0;
    double s1 = 0;
    int i = 0;
    for (; i + 2 <= n; i += 2) {
      double d0 = x.getAtIndex(F32, i) - m;
      double d1 = x.getAtIndex(F32, i + 1) - m;
      s0 += d0 * d0;
      s1 += d1 * d1;
    }
    for (; i < n; i++) {
      double d = x.getAtIndex(F32, i) - m;
      s0 += d * d;
    }
    return (s0 + s1) / n;
  }

  /**
   * Sample standard deviation (divisor n − 1), as {@code torch.Tensor.std()} computes it; 0 for a
   * single element.
   */
  public double std() {
    if (size < 2) {
      return 0;
    }
    return Math.sqrt(variance() * size / (size - 1));
  }

  /** Sum of squares, in double. */
  public double sumOfSquares() {
    return dot(this);
  }

  /** Inner product with a tensor of the same shape, in double. */
  public double dot(Tensor other) {
    requireSameShape("dot", other);
    MemorySegment x = data;
    MemorySegment y = other.data;
    int n = size;
    double s0 = 0;
    double s1 = 0;
    double s2 = 0;
    double s3 = 0;
    int i = 0;
    for (; i + 4 <= n; i += 4) {
      s0 += (double) x.getAtIndex(F32, i) * y.getAtIndex(F32, i);
      s1 += (double) x.getAtIndex(F32, i + 1) * y.getAtIndex(F32, i + 1);
      s2 += (double) x.getAtIndex(F32, i + 2) * y.getAtIndex(F32, i + 2);
      s3 += (double) x.getAtIndex(F32, i + 3) * y.getAtIndex(F32, i + 3);
    }
    for (; i < n; i++) {
      s0 += (double) x.getAtIndex(F32, i) * y.getAtIndex(F32, i);
    }
    return (s0 + s1) + (s2 + s3);
  }

  /** Smallest element. */
  public float min() {
    float m = Float.POSITIVE_INFINITY;
    for (int i = 0; i < size; i++) {
      m = Math.min(m, get(i));
    }
    return m;
  }

  /** Largest element. */
  public float max() {
    float m = Float.NEGATIVE_INFINITY;
    for (int i = 0; i < size; i++) {
      m = Math.max(m, get(i));
    }
    return m;
  }

  /** Largest absolute element-wise difference to a tensor of the same shape. */
  public double maxAbsDiff(Tensor other) {
    requireSameShape("maxAbsDiff", other);
    double m = 0;
    for (int i = 0; i < size; i++) {
      m = Math.max(m, Math.abs((double) get(i) - other.get(i)));
    }
    return m;
  }

  /** Mean absolute element-wise difference to a tensor of the same shape. */
  public double meanAbsDiff(Tensor other) {
    requireSameShape("meanAbsDiff", other);
    double s = 0;
    for (int i = 0; i < size; i++) {
      s += Math.abs((double) get(i) - other.get(i));
    }
    return s / size;
  }

  // ---------------------------------------------------------------- element loops
  // Plain int-indexed loops over local segment variables: C2 keeps them free of per-element
  // field loads and bounds-check overhead beyond one check per access.

  /** {@code out[i] = a * x[i] + b * y[i]} for i in [from, to), in double, rounded once. */
  private static void lincomb(
      MemorySegment out, double a, MemorySegment x, double b, MemorySegment y, int from, int to) {
    for (int i = from; i < to; i++) {
      out.setAtIndex(F32, i, (float) (a * x.getAtIndex(F32, i) + b * y.getAtIndex(F32, i)));
    }
  }

  /** {@code out[i] = a * x[i] + b * y[i] + c * z[i]} for i in [0, n), in double, rounded once. */
  private static void lincomb(
      MemorySegment out,
      double a,
      MemorySegment x,
      double b,
      MemorySegment y,
      double c,
      MemorySegment z,
      int n) {
    for (int i = 0; i < n; i++) {
      out.setAtIndex(
          F32,
          i,
          (float) (a * x.getAtIndex(F32, i) + b * y.getAtIndex(F32, i) + c * z.getAtIndex(F32, i)));
    }
  }

  /** {@code out[i] = s * x[i]} for i in [from, to), in double, rounded once. */
  private static void scale(MemorySegment out, double s, MemorySegment x, int from, int to) {
    for (int i = from; i < to; i++) {
      out.setAtIndex(F32, i, (float) (s * x.getAtIndex(F32, i)));
    }
  }

  /** {@code out[i] = f(x[i])} for i in [0, n). */
  private static void map(MemorySegment out, DoubleUnaryOperator f, MemorySegment x, int n) {
    for (int i = 0; i < n; i++) {
      out.setAtIndex(F32, i, (float) f.applyAsDouble(x.getAtIndex(F32, i)));
    }
  }

  /** Shape and a few summary statistics; never the whole content. */
  @Override
  public String toString() {
    return "Tensor" + shape + (size <= 8 ? java.util.Arrays.toString(toArray()) : "{mean=" + mean() + ", min=" + min() + ", max=" + max() + "}");
  }
}
