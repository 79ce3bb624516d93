package io.github.ldm4j.export.sd.internal;

import io.github.ldm4j.export.sd.Weights;
import io.github.ldm4j.export.folder.ExportFlavor;
import io.github.ldm4j.export.folder.GraphParts;
import io.github.ldm4j.export.folder.Precision;
import io.github.ldm4j.export.onnx.Dim;
import io.github.ldm4j.export.onnx.ElementType;
import io.github.ldm4j.export.onnx.GraphBuilder;
import io.github.ldm4j.export.onnx.OnnxGraph;
import io.github.ldm4j.export.onnx.TensorType;
import io.github.ldm4j.export.onnx.TensorValues;
import io.github.ldm4j.export.onnx.Value;
import io.github.ldm4j.export.sd.TextEncoderArchitecture;
import java.util.ArrayList;
import java.util.List;

/** Builds a CLIP text transformer ({@code CLIPTextModel}) as an ONNX graph. */
public final class ClipTextBuilder {

  private static final float LN_EPS = 1e-5f;

  /** Prefix of the per-layer outputs ({@code hidden_states.0} … {@code hidden_states.<layers>}), as optimum names them. */
  public static final String HIDDEN_STATES_PREFIX = "hidden_states.";

  private ClipTextBuilder() {
  }

  /**
   * The text encoder: {@code input_ids} [batch, sequence] (int32 or int64 as the flavor says, at
   * most {@code maxPositions} long) → {@code last_hidden_state} [batch, sequence, hidden] and
   * {@code pooler_output} [batch, hidden] (the final state at the first end-of-text token).
   */
  public static OnnxGraph build(TextEncoderArchitecture a, ExportFlavor flavor, Precision precision, Weights weights) {
    return build(a, flavor, precision, weights, false);
  }

  /**
   * As {@link #build(TextEncoderArchitecture, ExportFlavor, Precision, long)}; with {@code
   * hiddenStates} also the outputs {@code hidden_states.0} (the embeddings) … {@code
   * hidden_states.<layers>} (the last block's output, before the final LayerNorm), [batch,
   * sequence, hidden], as an export with {@code output_hidden_states=True} has them.
   */
  public static OnnxGraph build(TextEncoderArchitecture a, ExportFlavor flavor, Precision precision, Weights weights,
      boolean hiddenStates) {
    GraphBuilder g = new GraphBuilder("text_encoder");
    ElementType ft = precision.floatType();
    Layers l = new Layers(g, ft, weights);
    var o = l.o;
    int d = a.hiddenSize();
    ElementType idType = flavor.inputIdsType();
    Value ids = g.input("input_ids", TensorType.of(idType, Dim.symbolic("batch"), Dim.symbolic("sequence")));

    Value tok = o.gather(l.embedding("text_model.embeddings.token_embedding.weight", a.vocabSize(), d), ids, 0);
    Value len = o.slice(o.shape(ids), new long[] {1}, new long[] {2}, new long[] {0});
    Value pos = l.embedding("text_model.embeddings.position_embedding.weight", a.maxPositions(), d);
    Value h = o.add(tok, g.op("Slice", List.of(pos, o.int64s(0), len, o.int64s(0))));

    int n = a.maxPositions();
    float lowest = ft == ElementType.FLOAT16 ? -65504f : -Float.MAX_VALUE;
    Value fullMask = g.constant("causal_mask", ft, new long[] {n, n}, new TensorValues.Floats((start, dst, count) -> {
      for (int k = 0; k < count; k++) {
        long idx = start + k;
        dst[k] = (idx % n) > (idx / n) ? lowest : 0f;
      }
    }));
    Value zero = o.int64s(0, 0);
    Value mask = g.op("Slice", List.of(fullMask, zero, o.concat(0, len, len), o.int64s(0, 1)));

    List<Value> states = new ArrayList<>();
    states.add(h);
    for (int i = 0; i < a.layers(); i++) {
      String p = "text_model.encoder.layers." + i;
      Value n1 = l.layerNorm(h, p + ".layer_norm1", d, LN_EPS);
      h = o.add(h, l.attention(n1, n1, p + ".self_attn", d, d, a.heads(), true, mask, "q_proj", "k_proj", "v_proj",
          "out_proj"));
      Value n2 = l.layerNorm(h, p + ".layer_norm2", d, LN_EPS);
      Value fc1 = l.linear(n2, p + ".mlp.fc1", d, a.intermediateSize(), true);
      Value m = a.quickGelu() ? o.quickGelu(fc1) : o.gelu(fc1);
      h = o.add(h, l.linear(m, p + ".mlp.fc2", a.intermediateSize(), d, true));
      states.add(h);
    }
    Value last = l.layerNorm(h, "text_model.final_layer_norm", d, LN_EPS);

    Value pooled = GraphParts.rowAtFirstToken(o, last, ids, idType, a.eosTokenId());

    Dim b = Dim.symbolic("batch");
    g.output(last, "last_hidden_state", TensorType.of(ft, b, Dim.symbolic("sequence"), Dim.of(d)));
    g.output(pooled, "pooler_output", TensorType.of(ft, b, Dim.of(d)));
    if (hiddenStates) {
      for (int i = 0; i < states.size(); i++) {
        g.output(states.get(i), HIDDEN_STATES_PREFIX + i, TensorType.of(ft, b, Dim.symbolic("sequence"), Dim.of(d)));
      }
    }
    return g.build();
  }
}
