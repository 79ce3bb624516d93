package io.github.ldm4j.export.sd.internal;

import io.github.ldm4j.export.sd.Weights;
import io.github.ldm4j.export.folder.ExportFlavor;
import io.github.ldm4j.export.folder.GraphParts;
import io.github.ldm4j.export.folder.Precision;
import io.github.ldm4j.export.onnx.Dim;
import io.github.ldm4j.export.onnx.GraphBuilder;
import io.github.ldm4j.export.onnx.OnnxGraph;
import io.github.ldm4j.export.onnx.TensorType;
import io.github.ldm4j.export.onnx.TensorValues;
import io.github.ldm4j.export.onnx.Value;
import io.github.ldm4j.export.sd.UNetArchitecture;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;

/** Builds the SD v1 UNet ({@code UNet2DConditionModel} topology) as an ONNX graph. */
public final class UNetBuilder {

  private static final float RESNET_EPS = 1e-5f;
  private static final float TRANSFORMER_NORM_EPS = 1e-6f;
  private static final float LAYER_NORM_EPS = 1e-5f;

  private final UNetArchitecture a;
  private final Layers l;
  private Value temb;
  private Value context;

  private UNetBuilder(UNetArchitecture a, Layers l) {
    this.a = a;
    this.l = l;
  }

  /**
   * The UNet graph: inputs {@code sample} [batch, C, height, width], {@code timestep} (as the flavor
   * says), {@code encoder_hidden_states} [batch, sequence, context]; output {@code out_sample}.
   */
  public static OnnxGraph build(UNetArchitecture a, ExportFlavor flavor, Precision precision, Weights weights) {
    GraphBuilder g = new GraphBuilder("unet");
    Layers l = new Layers(g, precision.floatType(), weights, precision.int8ConvWeights(),
        precision.int8LinearWeights());
    return new UNetBuilder(a, l).graph(flavor, precision);
  }

  private OnnxGraph graph(ExportFlavor flavor, Precision precision) {
    GraphBuilder g = l.g;
    var ft = precision.floatType();
    Value sample = g.input("sample", TensorType.of(ft, Dim.symbolic("batch"), Dim.of(a.inChannels()),
        Dim.symbolic("height"), Dim.symbolic("width")));
    TensorType tType = flavor.timestepType(precision);
    Value timestep = g.input(ExportFlavor.TIMESTEP, tType);
    context = g.input("encoder_hidden_states", TensorType.of(ft, Dim.symbolic("batch"), Dim.symbolic("sequence"),
        Dim.of(a.contextDim())));

    Value t = GraphParts.timestepPerSample(l.o, timestep, tType.elementType(), ft, sample);
    temb = timeEmbedding(t);

    List<Integer> ch = a.blockChannels();
    Value h = l.conv3(sample, "conv_in", a.inChannels(), ch.getFirst());
    Deque<Value> skips = new ArrayDeque<>();
    Deque<Integer> skipChannels = new ArrayDeque<>();
    skips.push(h);
    skipChannels.push(ch.getFirst());
    int cur = ch.getFirst();
    for (int i = 0; i < a.levels(); i++) {
      String p = "down_blocks." + i;
      int out = ch.get(i);
      for (int j = 0; j < a.layersPerBlock(); j++) {
        h = resnet(h, p + ".resnets." + j, cur, out);
        cur = out;
        if (a.crossAttention().get(i)) {
          h = transformer(h, p + ".attentions." + j, cur);
        }
        skips.push(h);
        skipChannels.push(cur);
      }
      if (i < a.levels() - 1) {
        h = l.conv(h, p + ".downsamplers.0.conv", cur, cur, 3, 2, 1, 1, 1, 1);
        skips.push(h);
        skipChannels.push(cur);
      }
    }
    h = resnet(h, "mid_block.resnets.0", cur, cur);
    h = transformer(h, "mid_block.attentions.0", cur);
    h = resnet(h, "mid_block.resnets.1", cur, cur);
    for (int i = 0; i < a.levels(); i++) {
      int level = a.levels() - 1 - i;
      String p = "up_blocks." + i;
      int out = ch.get(level);
      for (int j = 0; j <= a.layersPerBlock(); j++) {
        Value skip = skips.pop();
        int sc = skipChannels.pop();
        h = resnet(l.o.concat(1, h, skip), p + ".resnets." + j, cur + sc, out);
        cur = out;
        if (a.crossAttention().get(level)) {
          h = transformer(h, p + ".attentions." + j, cur);
        }
      }
      if (i < a.levels() - 1) {
        h = l.conv3(l.upsample2x(h), p + ".upsamplers.0.conv", cur, cur);
      }
    }
    h = l.o.silu(l.groupNorm(h, "conv_norm_out", cur, a.normGroups(), RESNET_EPS));
    h = l.conv3(h, "conv_out", cur, a.outChannels());
    g.output(h, "out_sample", TensorType.of(ft, Dim.symbolic("batch"), Dim.of(a.outChannels()),
        Dim.symbolic("height"), Dim.symbolic("width")));
    return g.build();
  }

  /** Sinusoid [cos ‖ sin] of t·freqs, freqs_i = exp(−ln(10000)·i/half), then Linear → SiLU → Linear. */
  private Value timeEmbedding(Value t) {
    int c0 = a.blockChannels().getFirst();
    int half = c0 / 2;
    float[] freqs = new float[half];
    for (int i = 0; i < half; i++) {
      freqs[i] = (float) Math.exp(-Math.log(10000) * i / half);
    }
    Value f = l.g.constant("time_proj.freqs", l.ft, new long[] {1, half}, TensorValues.of(freqs));
    Value args = l.o.mul(l.o.unsqueeze(t, 1), f);
    Value emb = l.o.concat(1, l.o.unary("Cos", args), l.o.unary("Sin", args));
    Value h = l.linear(emb, "time_embedding.linear_1", c0, a.timeEmbedDim(), true);
    return l.linear(l.o.silu(h), "time_embedding.linear_2", a.timeEmbedDim(), a.timeEmbedDim(), true);
  }

  /** ResnetBlock2D with time embedding. */
  private Value resnet(Value x, String name, int in, int out) {
    Value h = l.conv3(l.o.silu(l.groupNorm(x, name + ".norm1", in, a.normGroups(), RESNET_EPS)), name + ".conv1", in,
        out);
    Value tp = l.linear(l.o.silu(temb), name + ".time_emb_proj", a.timeEmbedDim(), out, true);
    h = l.o.add(h, l.o.unsqueeze(tp, 2, 3));
    h = l.conv3(l.o.silu(l.groupNorm(h, name + ".norm2", out, a.normGroups(), RESNET_EPS)), name + ".conv2", out, out);
    Value shortcut = in == out ? x : l.conv1(x, name + ".conv_shortcut", in, out);
    return l.o.add(shortcut, h);
  }

  /**
   * Transformer2DModel (SpatialTransformer) with one BasicTransformerBlock; {@code proj_in} /
   * {@code proj_out} as 1×1 convolutions (SD 1.x) or as linear layers on the tokens (SD 2.x).
   */
  private Value transformer(Value x, String name, int c) {
    Value normed = l.groupNorm(x, name + ".norm", c, a.normGroups(), TRANSFORMER_NORM_EPS);
    Value tokens = a.linearProjection()
        ? l.linear(l.toTokens(normed, c), name + ".proj_in", c, c, true)
        : l.toTokens(l.conv1(normed, name + ".proj_in", c, c), c);
    String b = name + ".transformer_blocks.0";
    int heads = a.headsAt(c);
    Value n1 = l.layerNorm(tokens, b + ".norm1", c, LAYER_NORM_EPS);
    tokens = l.o.add(tokens, l.attention(n1, n1, b + ".attn1", c, c, heads, false, null,
        "to_q", "to_k", "to_v", "to_out.0"));
    Value n2 = l.layerNorm(tokens, b + ".norm2", c, LAYER_NORM_EPS);
    tokens = l.o.add(tokens, l.attention(n2, context, b + ".attn2", c, a.contextDim(), heads, false,
        null, "to_q", "to_k", "to_v", "to_out.0"));
    Value n3 = l.layerNorm(tokens, b + ".norm3", c, LAYER_NORM_EPS);
    List<Value> halves = l.o.splitLastInHalves(l.linear(n3, b + ".ff.net.0.proj", c, 8 * c, true));
    Value geglu = l.o.mul(halves.get(0), l.o.gelu(halves.get(1)));
    tokens = l.o.add(tokens, l.linear(geglu, b + ".ff.net.2", 4 * c, c, true));
    Value out = a.linearProjection()
        ? l.fromTokens(l.linear(tokens, name + ".proj_out", c, c, true), x)
        : l.conv1(l.fromTokens(tokens, x), name + ".proj_out", c, c);
    return l.o.add(out, x);
  }
}
