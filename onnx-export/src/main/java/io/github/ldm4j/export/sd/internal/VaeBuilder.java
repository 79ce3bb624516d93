package io.github.ldm4j.export.sd.internal;

import io.github.ldm4j.export.sd.Weights;
import io.github.ldm4j.export.folder.ExportFlavor;
import io.github.ldm4j.export.folder.Precision;
import io.github.ldm4j.export.onnx.Dim;
import io.github.ldm4j.export.onnx.GraphBuilder;
import io.github.ldm4j.export.onnx.OnnxGraph;
import io.github.ldm4j.export.onnx.TensorType;
import io.github.ldm4j.export.onnx.Value;
import io.github.ldm4j.export.sd.VaeArchitecture;
import java.util.List;

/** Builds the AutoencoderKL encoder and decoder of SD v1 as ONNX graphs. */
public final class VaeBuilder {

  private static final float EPS = 1e-6f;

  private final VaeArchitecture a;
  private final Layers l;

  private VaeBuilder(VaeArchitecture a, Layers l) {
    this.a = a;
    this.l = l;
  }

  /**
   * The decoder: {@code latent_sample} [batch, 4, latent_height, latent_width] (already divided by
   * the scaling factor) → {@code sample} [batch, 3, height, width] in about [−1, 1].
   */
  public static OnnxGraph decoder(VaeArchitecture a, Precision precision, Weights weights) {
    GraphBuilder g = new GraphBuilder("vae_decoder");
    return new VaeBuilder(a, new Layers(g, precision.floatType(), weights)).decoderGraph();
  }

  /**
   * The encoder: {@code sample} [batch, 3, height, width] → the flavor's output: the 8-channel
   * {@code latent_parameters} (mean ‖ logvar) or a 4-channel {@code latent_sample}, which here is
   * the mean (the deterministic stand-in for a sample).
   */
  public static OnnxGraph encoder(VaeArchitecture a, ExportFlavor flavor, Precision precision, Weights weights) {
    GraphBuilder g = new GraphBuilder("vae_encoder");
    return new VaeBuilder(a, new Layers(g, precision.floatType(), weights)).encoderGraph(flavor);
  }

  private OnnxGraph decoderGraph() {
    var ft = l.ft;
    int z = a.latentChannels();
    Value latent = l.g.input("latent_sample", TensorType.of(ft, Dim.symbolic("batch"), Dim.of(z),
        Dim.symbolic("latent_height"), Dim.symbolic("latent_width")));
    List<Integer> ch = a.blockChannels();
    int cur = ch.getLast();
    Value h = l.conv1(latent, "post_quant_conv", z, z);
    h = l.conv3(h, "decoder.conv_in", z, cur);
    h = mid(h, "decoder.mid_block", cur);
    for (int i = 0; i < 4; i++) {
      int out = ch.get(3 - i);
      String p = "decoder.up_blocks." + i;
      for (int j = 0; j <= a.layersPerBlock(); j++) {
        h = resnet(h, p + ".resnets." + j, cur, out);
        cur = out;
      }
      if (i < 3) {
        h = l.conv3(l.upsample2x(h), p + ".upsamplers.0.conv", cur, cur);
      }
    }
    h = l.o.silu(l.groupNorm(h, "decoder.conv_norm_out", cur, a.normGroups(), EPS));
    h = l.conv3(h, "decoder.conv_out", cur, 3);
    l.g.output(h, "sample", TensorType.of(ft, Dim.symbolic("batch"), Dim.of(3), Dim.symbolic("height"),
        Dim.symbolic("width")));
    return l.g.build();
  }

  private OnnxGraph encoderGraph(ExportFlavor flavor) {
    var ft = l.ft;
    int z = a.latentChannels();
    Value image = l.g.input("sample", TensorType.of(ft, Dim.symbolic("batch"), Dim.of(3), Dim.symbolic("height"),
        Dim.symbolic("width")));
    List<Integer> ch = a.blockChannels();
    int cur = ch.getFirst();
    Value h = l.conv3(image, "encoder.conv_in", 3, cur);
    for (int i = 0; i < 4; i++) {
      int out = ch.get(i);
      String p = "encoder.down_blocks." + i;
      for (int j = 0; j < a.layersPerBlock(); j++) {
        h = resnet(h, p + ".resnets." + j, cur, out);
        cur = out;
      }
      if (i < 3) {
        // CompVis Downsample: pad (0, 1, 0, 1), then a 3×3 stride-2 convolution.
        h = l.conv(h, p + ".downsamplers.0.conv", cur, cur, 3, 2, 0, 0, 1, 1);
      }
    }
    h = mid(h, "encoder.mid_block", cur);
    h = l.o.silu(l.groupNorm(h, "encoder.conv_norm_out", cur, a.normGroups(), EPS));
    h = l.conv3(h, "encoder.conv_out", cur, 2 * z);
    Value moments = l.conv1(h, "quant_conv", 2 * z, 2 * z);
    Dim b = Dim.symbolic("batch");
    Dim lh = Dim.symbolic("latent_height");
    Dim lw = Dim.symbolic("latent_width");
    if (flavor.encoderOutputsParameters()) {
      l.g.output(moments, flavor.vaeEncoderOutput(), TensorType.of(ft, b, Dim.of(2 * z), lh, lw));
    } else {
      Value mean = l.o.slice(moments, new long[] {0}, new long[] {z}, new long[] {1});
      l.g.output(mean, flavor.vaeEncoderOutput(), TensorType.of(ft, b, Dim.of(z), lh, lw));
    }
    return l.g.build();
  }

  private Value mid(Value x, String name, int c) {
    Value h = resnet(x, name + ".resnets.0", c, c);
    h = attention(h, name + ".attentions.0", c);
    return resnet(h, name + ".resnets.1", c, c);
  }

  /** ResnetBlock2D without time embedding. */
  private Value resnet(Value x, String name, int in, int out) {
    Value h = l.conv3(l.o.silu(l.groupNorm(x, name + ".norm1", in, a.normGroups(), EPS)), name + ".conv1", in, out);
    h = l.conv3(l.o.silu(l.groupNorm(h, name + ".norm2", out, a.normGroups(), EPS)), name + ".conv2", out, out);
    Value shortcut = in == out ? x : l.conv1(x, name + ".conv_shortcut", in, out);
    return l.o.add(shortcut, h);
  }

  /** Single-head self-attention over spatial positions, with GroupNorm and a residual. */
  private Value attention(Value x, String name, int c) {
    Value tokens = l.toTokens(l.groupNorm(x, name + ".group_norm", c, a.normGroups(), EPS), c);
    Value out = l.attention(tokens, tokens, name, c, c, 1, true, null, "to_q", "to_k", "to_v", "to_out.0");
    return l.o.add(l.fromTokens(out, x), x);
  }
}
