package io.github.ldm4j.export.onnx;

import java.util.List;
import java.util.Objects;

/**
 * Typed shorthands for the opset-17 operators the generated models use, on top of a
 * {@link GraphBuilder}. Float constants it creates use {@link #floatType()}.
 */
public final class Ops {

  private final GraphBuilder g;
  private final ElementType floatType;

  /**
   * @param g the graph under construction
   * @param floatType element type of the float tensors flowing through the graph (FLOAT, FLOAT16, or
   *     DOUBLE for exact integer arithmetic)
   */
  public Ops(GraphBuilder g, ElementType floatType) {
    this.g = Objects.requireNonNull(g, "g");
    if (!floatType.isFloatingPoint()) {
      throw new IllegalArgumentException("floatType must be FLOAT, FLOAT16 or DOUBLE, got " + floatType);
    }
    this.floatType = floatType;
  }

  /** The builder. */
  public GraphBuilder graph() {
    return g;
  }

  /** Element type of float tensors and of the float constants this creates. */
  public ElementType floatType() {
    return floatType;
  }

  /** A rank-0 float constant. */
  public Value scalar(float v) {
    return g.constant(floatType, new long[0], TensorValues.of(v));
  }

  /** A float constant holding {@code values} with shape {@code dims}. */
  public Value floats(long[] dims, float... values) {
    return g.constant(floatType, dims, TensorValues.of(values));
  }

  /** A 1-D INT64 constant. */
  public Value int64s(long... values) {
    return g.int64s(values);
  }

  // ---------------------------------------------------------------- element-wise

  /** a + b (broadcasting). */
  public Value add(Value a, Value b) {
    return g.op("Add", List.of(a, b));
  }

  /** a − b (broadcasting). */
  public Value sub(Value a, Value b) {
    return g.op("Sub", List.of(a, b));
  }

  /** a · b (broadcasting). */
  public Value mul(Value a, Value b) {
    return g.op("Mul", List.of(a, b));
  }

  /** a / b (broadcasting). */
  public Value div(Value a, Value b) {
    return g.op("Div", List.of(a, b));
  }

  /** x · s for a float scalar s. */
  public Value scale(Value x, float s) {
    return mul(x, scalar(s));
  }

  /** Element-wise minimum. */
  public Value min(Value a, Value b) {
    return g.op("Min", List.of(a, b));
  }

  /** Element-wise maximum. */
  public Value max(Value a, Value b) {
    return g.op("Max", List.of(a, b));
  }

  /** Unary operator {@code opType} (Sigmoid, Exp, Log, Sqrt, Erf, Floor, Neg, Sin, Cos, Reciprocal, …). */
  public Value unary(String opType, Value x) {
    return g.op(opType, List.of(x));
  }

  /** SiLU: x · sigmoid(x). */
  public Value silu(Value x) {
    return mul(x, unary("Sigmoid", x));
  }

  /** Exact GELU: 0.5 · x · (1 + erf(x / √2)). */
  public Value gelu(Value x) {
    Value e = unary("Erf", scale(x, (float) (1 / Math.sqrt(2))));
    return mul(scale(x, 0.5f), add(e, scalar(1f)));
  }

  /** CLIP's quick GELU: x · sigmoid(1.702 · x). */
  public Value quickGelu(Value x) {
    return mul(x, unary("Sigmoid", scale(x, 1.702f)));
  }

  /** Element-wise {@code a == b} (BOOL). */
  public Value equal(Value a, Value b) {
    return g.op("Equal", List.of(a, b));
  }

  /** {@code cond ? a : b}. */
  public Value where(Value cond, Value a, Value b) {
    return g.op("Where", List.of(cond, a, b));
  }

  /** Converts to element type {@code to}. */
  public Value cast(Value x, ElementType to) {
    return g.op("Cast", List.of(x), Attribute.of("to", to.onnxCode()));
  }

  // ---------------------------------------------------------------- shapes

  /** Reshape to {@code shape} (0 copies the input dimension, −1 is inferred). */
  public Value reshape(Value x, long... shape) {
    return g.op("Reshape", List.of(x, int64s(shape)));
  }

  /** Reshape to a shape held in a value. */
  public Value reshape(Value x, Value shape) {
    return g.op("Reshape", List.of(x, shape));
  }

  /** Permutes axes. */
  public Value transpose(Value x, long... perm) {
    return g.op("Transpose", List.of(x), Attribute.ints("perm", perm));
  }

  /** Concatenation along {@code axis}. */
  public Value concat(long axis, Value... xs) {
    return g.op("Concat", List.of(xs), Attribute.of("axis", axis));
  }

  /** Inserts size-1 axes. */
  public Value unsqueeze(Value x, long... axes) {
    return g.op("Unsqueeze", List.of(x, int64s(axes)));
  }

  /** The shape of x as a 1-D INT64 tensor. */
  public Value shape(Value x) {
    return g.op("Shape", List.of(x));
  }

  /** {@code x[starts:ends]} along {@code axes} (step 1). */
  public Value slice(Value x, long[] starts, long[] ends, long[] axes) {
    return g.op("Slice", List.of(x, int64s(starts), int64s(ends), int64s(axes)));
  }

  /** Gathers entries of {@code data} along {@code axis} at {@code indices}. */
  public Value gather(Value data, Value indices, long axis) {
    return g.op("Gather", List.of(data, indices), Attribute.of("axis", axis));
  }

  /** Broadcasts {@code x} to {@code shape}. */
  public Value expand(Value x, Value shape) {
    return g.op("Expand", List.of(x, shape));
  }

  /** Splits the last axis of x (size 2n) into its two halves. */
  public List<Value> splitLastInHalves(Value x) {
    return g.op("Split", 2, List.of(x), Attribute.of("axis", -1L));
  }

  // ---------------------------------------------------------------- reductions & linear algebra

  /** Sum over {@code axes}. */
  public Value reduceSum(Value x, boolean keepDims, long... axes) {
    return g.op("ReduceSum", List.of(x, int64s(axes)), Attribute.of("keepdims", keepDims ? 1L : 0L));
  }

  /** Max over {@code axes} (opset 17 takes axes as an attribute). */
  public Value reduceMax(Value x, boolean keepDims, long... axes) {
    return g.op("ReduceMax", List.of(x), Attribute.ints("axes", axes), Attribute.of("keepdims", keepDims ? 1L : 0L));
  }

  /** Sum of squares over {@code axes} (opset 17 takes axes as an attribute). */
  public Value reduceSumSquare(Value x, boolean keepDims, long... axes) {
    return g.op("ReduceSumSquare", List.of(x), Attribute.ints("axes", axes),
        Attribute.of("keepdims", keepDims ? 1L : 0L));
  }

  /** Matrix product (numpy semantics). */
  public Value matMul(Value a, Value b) {
    return g.op("MatMul", List.of(a, b));
  }

  /** Softmax along {@code axis}. */
  public Value softmax(Value x, long axis) {
    return g.op("Softmax", List.of(x), Attribute.of("axis", axis));
  }
}
