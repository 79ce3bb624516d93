package io.github.ldm4j.export.sd.internal;

import io.github.ldm4j.export.onnx.Attribute;
import io.github.ldm4j.export.onnx.ElementType;
import io.github.ldm4j.export.onnx.GraphBuilder;
import io.github.ldm4j.export.onnx.Ops;
import io.github.ldm4j.export.onnx.TensorValues;
import io.github.ldm4j.export.onnx.Value;
import io.github.ldm4j.export.sd.ParameterSpec;
import io.github.ldm4j.export.sd.Weights;
import java.util.List;

/**
 * Neural-network layers as ONNX subgraphs, with parameters named like the PyTorch modules they
 * stand for and their values from a {@link Weights} source, which is told the PyTorch-style
 * initialisation (used by seeded sources): conv/linear weights and biases uniform in
 * ±1/√fan_in, norm scales 1 ± 0.1 and shifts ±0.1 (not exactly 1 and 0, so that a backend that
 * ignored them would be caught), embeddings uniform with standard deviation 0.02.
 */
final class Layers {

  final GraphBuilder g;
  final Ops o;
  final ElementType ft;
  private final Weights weights;
  /** Whether conv weights are stored int8 per output channel and dequantized in the graph. */
  private final boolean int8Conv;
  /** Whether linear weights are stored int8 per output channel and dequantized in the graph. */
  private final boolean int8Linear;

  Layers(GraphBuilder g, ElementType floatType, Weights weights) {
    this(g, floatType, weights, false, false);
  }

  /**
   * @param int8Conv store conv weights as int8 with a float32 scale per output channel, dequantized
   *     in the graph ({@code DequantizeLinear} → {@code Conv}); needs FLOAT
   * @param int8Linear the same for linear weights ({@code DequantizeLinear} → {@code MatMul})
   */
  Layers(GraphBuilder g, ElementType floatType, Weights weights, boolean int8Conv, boolean int8Linear) {
    if ((int8Conv || int8Linear) && floatType != ElementType.FLOAT) {
      throw new IllegalArgumentException("int8 weights need float32 tensors, got " + floatType);
    }
    this.g = g;
    this.o = new Ops(g, floatType);
    this.ft = floatType;
    this.weights = weights;
    this.int8Conv = int8Conv;
    this.int8Linear = int8Linear;
  }

  /**
   * A conv or linear weight: the parameter itself, or ({@code int8}) its int8 values and per-channel
   * scales ({@code NAME_scale}) dequantized along {@code axis}.
   */
  private Value weight(String name, long[] dims, boolean transposed, int axis, double bound, boolean int8) {
    if (!int8) {
      return param(name, dims, transposed, 0, bound);
    }
    Int8Weight q = new Int8Weight(weights.values(new ParameterSpec(name, dims, transposed, 0, bound)), dims, axis);
    Value values = g.parameter(name, ElementType.INT8, dims, q.quantized());
    Value scale = g.constant(name + "_scale", ElementType.FLOAT, new long[] {dims[axis]},
        new TensorValues.Floats(q.scaleValues()));
    return g.op("DequantizeLinear", List.of(values, scale), Attribute.of("axis", (long) axis));
  }

  /** A parameter uniform in center ± bound. */
  Value param(String name, long[] dims, double center, double bound) {
    return param(name, dims, false, center, bound);
  }

  /** A parameter; {@code transposed} for a linear weight held as {@code [in, out]}. */
  Value param(String name, long[] dims, boolean transposed, double center, double bound) {
    return g.parameter(name, ft, dims, weights.values(new ParameterSpec(name, dims, transposed, center, bound)));
  }

  /** Embedding table [rows, width], uniform with standard deviation 0.02. */
  Value embedding(String name, long rows, long width) {
    return param(name, new long[] {rows, width}, 0, 0.02 * Math.sqrt(3));
  }

  /** 2-D convolution with bias; {@code pads} = (top, left, bottom, right). */
  Value conv(Value x, String name, int in, int out, int k, int stride, long... pads) {
    double bound = 1 / Math.sqrt((double) in * k * k);
    Value w = weight(name + ".weight", new long[] {out, in, k, k}, false, 0, bound, int8Conv);
    Value b = param(name + ".bias", new long[] {out}, 0, bound);
    return g.op("Conv", List.of(x, w, b), Attribute.ints("kernel_shape", k, k), Attribute.ints("strides", stride, stride),
        Attribute.ints("pads", pads));
  }

  /** Same-size 3×3 convolution. */
  Value conv3(Value x, String name, int in, int out) {
    return conv(x, name, in, out, 3, 1, 1, 1, 1, 1);
  }

  /** 1×1 convolution. */
  Value conv1(Value x, String name, int in, int out) {
    return conv(x, name, in, out, 1, 1, 0, 0, 0, 0);
  }

  /** Linear layer on the last axis; the weight is stored [in, out] for MatMul. */
  Value linear(Value x, String name, int in, int out, boolean bias) {
    double bound = 1 / Math.sqrt(in);
    Value y = o.matMul(x, weight(name + ".weight", new long[] {in, out}, true, 1, bound, int8Linear));
    return bias ? o.add(y, param(name + ".bias", new long[] {out}, 0, bound)) : y;
  }

  /** GroupNorm over [N, C, H, W] with affine parameters of shape [C, 1, 1]. */
  Value groupNorm(Value x, String name, int channels, int groups, float eps) {
    Value grouped = o.reshape(x, 0, groups, -1);
    Value normed = g.op("InstanceNormalization",
        List.of(grouped, g.constant(ft, new long[] {groups}, TensorValues.constant(1f)),
            g.constant(ft, new long[] {groups}, TensorValues.constant(0f))),
        Attribute.of("epsilon", eps));
    Value back = o.reshape(normed, o.shape(x));
    Value gamma = param(name + ".weight", new long[] {channels, 1, 1}, 1, 0.1);
    Value beta = param(name + ".bias", new long[] {channels, 1, 1}, 0, 0.1);
    return o.add(o.mul(back, gamma), beta);
  }

  /** LayerNorm over the last axis. */
  Value layerNorm(Value x, String name, int width, float eps) {
    return g.op("LayerNormalization",
        List.of(x, param(name + ".weight", new long[] {width}, 1, 0.1), param(name + ".bias", new long[] {width}, 0, 0.1)),
        Attribute.of("axis", -1L), Attribute.of("epsilon", eps));
  }

  /**
   * Multi-head attention of queries from {@code x} [N, Lq, dim] over keys/values from
   * {@code context} [N, Lk, ctxDim]; optional additive {@code mask} broadcast to [N, H, Lq, Lk].
   */
  Value attention(Value x, Value context, String name, int dim, int ctxDim, int heads, boolean qkvBias, Value mask,
      String qName, String kName, String vName, String outName) {
    int headDim = dim / heads;
    Value q = o.scale(linear(x, name + "." + qName, dim, dim, qkvBias), (float) (1 / Math.sqrt(headDim)));
    Value k = linear(context, name + "." + kName, ctxDim, dim, qkvBias);
    Value v = linear(context, name + "." + vName, ctxDim, dim, qkvBias);
    Value qh = o.transpose(o.reshape(q, 0, 0, heads, headDim), 0, 2, 1, 3);
    Value kh = o.transpose(o.reshape(k, 0, 0, heads, headDim), 0, 2, 3, 1);
    Value vh = o.transpose(o.reshape(v, 0, 0, heads, headDim), 0, 2, 1, 3);
    Value scores = o.matMul(qh, kh);
    if (mask != null) {
      scores = o.add(scores, mask);
    }
    Value attn = o.matMul(o.softmax(scores, -1), vh);
    Value merged = o.reshape(o.transpose(attn, 0, 2, 1, 3), 0, 0, dim);
    return linear(merged, name + "." + outName, dim, dim, true);
  }

  /** [N, C, H, W] → [N, H·W, C]. */
  Value toTokens(Value x, int channels) {
    return o.transpose(o.reshape(x, 0, channels, -1), 0, 2, 1);
  }

  /** [N, H·W, C] → the shape {@code like} has ([N, C, H, W]). */
  Value fromTokens(Value tokens, Value like) {
    return o.reshape(o.transpose(tokens, 0, 2, 1), o.shape(like));
  }

  /** Nearest-neighbour 2× spatial upsampling. */
  Value upsample2x(Value x) {
    Value scales = g.constant(ElementType.FLOAT, new long[] {4}, TensorValues.of(1, 1, 2, 2));
    return g.op("Resize", List.of(x, Value.NONE, scales), Attribute.of("mode", "nearest"),
        Attribute.of("coordinate_transformation_mode", "asymmetric"), Attribute.of("nearest_mode", "floor"));
  }
}
