package io.github.ldm4j.demo.internal;

import io.github.ldm4j.conditioning.clip.ClipVocabulary;
import io.github.ldm4j.demo.ShapesDataset;
import io.github.ldm4j.export.folder.ComponentConfigs;
import io.github.ldm4j.export.folder.ExportFlavor;
import io.github.ldm4j.export.folder.GraphParts;
import io.github.ldm4j.export.folder.PipelineVariant;
import io.github.ldm4j.export.folder.Precision;
import io.github.ldm4j.export.onnx.Attribute;
import io.github.ldm4j.export.onnx.Dim;
import io.github.ldm4j.export.onnx.ElementType;
import io.github.ldm4j.export.onnx.GraphBuilder;
import io.github.ldm4j.export.onnx.OnnxGraph;
import io.github.ldm4j.export.onnx.Ops;
import io.github.ldm4j.export.onnx.TensorType;
import io.github.ldm4j.export.onnx.TensorValues;
import io.github.ldm4j.export.onnx.Value;
import io.github.ldm4j.model.Parameterization;
import io.github.ldm4j.schedule.DiffusionSchedule;
import java.util.List;

/**
 * The four graphs of the shapes oracle (see {@code ShapesModel} for the specification). Every
 * float computation runs in float32; fp16 variants only convert at the inputs and outputs.
 */
public final class ShapesGraphs {

  /** Width of the text encoder's hidden state: one column per attribute. */
  public static final int HIDDEN = ShapesDataset.ATTRIBUTES;
  /** Inpainting strength γ: log-likelihood weight of the squared distance over known latent positions. */
  public static final double GAMMA = 1;
  /** The logvar the optimum-style encoder reports (a near-zero standard deviation, e^−15). */
  public static final float ENCODER_LOGVAR = -30f;

  private static final ElementType F32 = ElementType.FLOAT;

  private ShapesGraphs() {
  }

  /**
   * Text encoder: {@code last_hidden_state[b, i, :]} = row {@code input_ids[b, i]} of a table whose
   * row for the token of attribute j is the unit vector e_j and every other row zero;
   * {@code pooler_output} = the row at the first end-of-text token.
   */
  public static OnnxGraph textEncoder(ExportFlavor flavor, Precision precision) {
    GraphBuilder g = new GraphBuilder("text_encoder");
    ElementType ft = precision.floatType();
    Ops o = new Ops(g, ft);
    ElementType idType = flavor.inputIdsType();
    Value ids = g.input("input_ids", TensorType.of(idType, Dim.symbolic("batch"), Dim.symbolic("sequence")));
    int[] attributeIds = ShapesDataset.attributeTokenIds();
    int vocab = ClipVocabulary.openAiClip().size();
    Value table = g.parameter("embeddings.token_embedding.weight", ft, new long[] {vocab, HIDDEN},
        (start, dst, count) -> {
          for (int i = 0; i < count; i++) {
            long idx = start + i;
            int row = (int) (idx / HIDDEN);
            int col = (int) (idx % HIDDEN);
            dst[i] = attributeIds[col] == row ? 1f : 0f;
          }
        });
    Value hidden = o.gather(table, ids, 0);
    Value pooled = GraphParts.rowAtFirstToken(o, hidden, ids, idType, ComponentConfigs.eosId());
    Dim b = Dim.symbolic("batch");
    g.output(hidden, "last_hidden_state", TensorType.of(ft, b, Dim.symbolic("sequence"), Dim.of(HIDDEN)));
    g.output(pooled, "pooler_output", TensorType.of(ft, b, Dim.of(HIDDEN)));
    return g.build();
  }

  /** Decoder: ConvTranspose(4→3, kernel 8, stride 8) with the patch basis, bias = background. */
  public static OnnxGraph vaeDecoder(Precision precision) {
    GraphBuilder g = new GraphBuilder("vae_decoder");
    ElementType ft = precision.floatType();
    Ops o = new Ops(g, F32);
    int p = ShapesDataset.PATCH;
    Value z = g.input("latent_sample", TensorType.of(ft, Dim.symbolic("batch"), Dim.of(4),
        Dim.symbolic("latent_height"), Dim.symbolic("latent_width")));
    Value w = g.parameter("decoder.weight", F32, new long[] {4, 3, p, p}, basisFiller());
    float bg = (float) ShapesDataset.backgroundSigned();
    Value bias = g.parameter("decoder.bias", F32, new long[] {3}, (s, d, c) -> java.util.Arrays.fill(d, 0, c, bg));
    Value img = g.op("ConvTranspose", List.of(toF32(o, z, ft), w, bias), Attribute.ints("kernel_shape", p, p),
        Attribute.ints("strides", p, p));
    g.output(fromF32(o, img, ft), "sample", TensorType.of(ft, Dim.symbolic("batch"), Dim.of(3),
        Dim.symbolic("height"), Dim.symbolic("width")));
    return g.build();
  }

  /**
   * Encoder: the least-squares inverse Conv(3→4, kernel 8, stride 8); legacy flavor →
   * {@code latent_sample}, optimum-style → {@code latent_parameters} = mean ‖ logvar with logvar
   * {@value #ENCODER_LOGVAR}.
   */
  public static OnnxGraph vaeEncoder(ExportFlavor flavor, Precision precision) {
    GraphBuilder g = new GraphBuilder("vae_encoder");
    ElementType ft = precision.floatType();
    Ops o = new Ops(g, F32);
    int p = ShapesDataset.PATCH;
    Value img = g.input("sample", TensorType.of(ft, Dim.symbolic("batch"), Dim.of(3), Dim.symbolic("height"),
        Dim.symbolic("width")));
    Value w = g.parameter("encoder.weight", F32, new long[] {4, 3, p, p}, basisFiller());
    Value bias = g.parameter("encoder.bias", F32, new long[] {4}, (s, d, c) -> {
      for (int i = 0; i < c; i++) {
        d[i] = (float) ShapesDataset.encoderBias((int) s + i);
      }
    });
    Value mean = g.op("Conv", List.of(toF32(o, img, ft), w, bias), Attribute.ints("kernel_shape", p, p),
        Attribute.ints("strides", p, p));
    Dim b = Dim.symbolic("batch");
    Dim lh = Dim.symbolic("latent_height");
    Dim lw = Dim.symbolic("latent_width");
    if (flavor.encoderOutputsParameters()) {
      Value logvar = o.expand(o.scalar(ENCODER_LOGVAR), o.shape(mean));
      g.output(fromF32(o, o.concat(1, mean, logvar), ft), flavor.vaeEncoderOutput(),
          TensorType.of(ft, b, Dim.of(8), lh, lw));
    } else {
      g.output(fromF32(o, mean, ft), flavor.vaeEncoderOutput(), TensorType.of(ft, b, Dim.of(4), lh, lw));
    }
    return g.build();
  }

  /**
   * The oracle UNet for {@code data}: the exact posterior-mean denoiser of the 16 dataset latents
   * under the prompt's prior (and, for inpainting, the visible part of the image).
   */
  public static OnnxGraph unet(ShapesDataset data, ExportFlavor flavor, Precision precision, Parameterization pred,
      PipelineVariant variant, double beta) {
    GraphBuilder g = new GraphBuilder("unet");
    ElementType ft = precision.floatType();
    Ops o = new Ops(g, F32);
    boolean inpaint = variant == PipelineVariant.INPAINTING;
    int l = data.latentSize();
    int k = ShapesDataset.IMAGES;
    long dim = 4L * l * l;
    Dim b = Dim.symbolic("batch");
    Value sample = g.input("sample", TensorType.of(ft, b, Dim.of(inpaint ? 9 : 4), Dim.of(l), Dim.of(l)));
    TensorType tType = flavor.timestepType(precision);
    Value timestep = g.input(ExportFlavor.TIMESTEP, tType);
    Value context = g.input("encoder_hidden_states", TensorType.of(ft, b, Dim.symbolic("sequence"), Dim.of(HIDDEN)));

    Value x = toF32(o, sample, ft);
    Value xt = inpaint ? o.slice(x, new long[] {0}, new long[] {4}, new long[] {1}) : x;
    Value t = GraphParts.timestepPerSample(o, timestep, tType.elementType(), F32, sample);
    Value alphaBar = alphaBar(o, t);                                    // [N]
    Value ab = o.reshape(alphaBar, -1, 1);                              // [N, 1]
    Value sqrtAb = o.unary("Sqrt", ab);
    Value oneMinusAb = o.sub(o.scalar(1f), ab);

    Value y = g.parameter("dataset_latents", F32, new long[] {k, 4, l, l}, latentFiller(data));
    Value yFlat = o.reshape(y, k, dim);                                 // [K, D]
    Value diff = o.sub(o.reshape(xt, -1, 1, dim), o.mul(o.unsqueeze(sqrtAb, 2), o.unsqueeze(yFlat, 0)));
    Value dist = o.reduceSumSquare(diff, false, 2);                     // [N, K]

    Value presence = o.reduceMax(toF32(o, context, ft), false, 1);     // [N, 8]
    Value prior = o.matMul(presence, g.parameter("prior_weights", F32, new long[] {HIDDEN, k}, priorFiller(beta)));
    Value logits = o.sub(prior, o.div(dist, o.scale(oneMinusAb, 2f)));
    if (inpaint) {
      Value mask = o.slice(x, new long[] {4}, new long[] {5}, new long[] {1});        // [N, 1, h, w]
      Value masked = o.slice(x, new long[] {5}, new long[] {9}, new long[] {1});      // [N, 4, h, w]
      Value known = o.cast(g.op("LessOrEqual", List.of(mask, o.scalar(0f))), F32);
      Value d = o.sub(o.unsqueeze(masked, 1), o.unsqueeze(y, 0));                     // [N, K, 4, h, w]
      Value evidence = o.reduceSum(o.mul(o.mul(d, d), o.unsqueeze(known, 1)), false, 2, 3, 4); // [N, K]
      logits = o.sub(logits, o.scale(evidence, (float) GAMMA));
    }
    Value w = o.softmax(logits, 1);                                     // [N, K]
    Value x0 = o.reshape(o.matMul(w, yFlat), -1, 4, l, l);
    Value sab4 = o.reshape(sqrtAb, -1, 1, 1, 1);
    Value s14 = o.reshape(o.unary("Sqrt", oneMinusAb), -1, 1, 1, 1);
    Value eps = o.div(o.sub(xt, o.mul(sab4, x0)), s14);
    Value out = switch (pred) {
      case EPS -> eps;
      case X0 -> x0;
      case V -> o.sub(o.mul(sab4, eps), o.mul(s14, x0));
    };
    g.output(fromF32(o, out, ft), "out_sample", TensorType.of(ft, b, Dim.of(4), Dim.of(l), Dim.of(l)));
    return g.build();
  }

  /**
   * ᾱ(t) [N] of the SD v1 schedule: the table value for integer t, otherwise 1/(1 + σ²) with log σ
   * interpolated linearly between the neighbouring integer timesteps; t is clamped to [0, 999].
   */
  static Value alphaBar(Ops o, Value t) {
    GraphBuilder g = o.graph();
    DiffusionSchedule s = DiffusionSchedule.stableDiffusionV1();
    int n = s.timesteps();
    float[] ab = new float[n];
    float[] logSigma = new float[n];
    for (int i = 0; i < n; i++) {
      ab[i] = (float) s.alphaBar(i);
      logSigma[i] = (float) Math.log(s.sigma(i));
    }
    Value abTable = g.constant("alphas_cumprod", F32, new long[] {n}, TensorValues.of(ab));
    Value lsTable = g.constant("log_sigmas", F32, new long[] {n}, TensorValues.of(logSigma));
    Value tc = g.op("Clip", List.of(t, o.scalar(0f), o.scalar(n - 1)));
    Value lo = o.unary("Floor", tc);
    Value hi = o.min(o.add(lo, o.scalar(1f)), o.scalar(n - 1));
    Value frac = o.sub(tc, lo);
    Value loIdx = o.cast(lo, ElementType.INT64);
    Value hiIdx = o.cast(hi, ElementType.INT64);
    Value ls = o.add(o.mul(o.sub(o.scalar(1f), frac), o.gather(lsTable, loIdx, 0)),
        o.mul(frac, o.gather(lsTable, hiIdx, 0)));
    Value interp = o.unary("Reciprocal", o.add(o.scalar(1f), o.unary("Exp", o.scale(ls, 2f))));
    return o.where(o.equal(frac, o.scalar(0f)), o.gather(abTable, loIdx, 0), interp);
  }

  private static Value toF32(Ops o, Value v, ElementType ft) {
    return ft == F32 ? v : o.cast(v, F32);
  }

  private static Value fromF32(Ops o, Value v, ElementType ft) {
    return ft == F32 ? v : o.cast(v, ft);
  }

  /** W[j, c, y, x] = B[(c, y, x), j], for both the ConvTranspose [4, 3, 8, 8] and the Conv [4, 3, 8, 8]. */
  private static TensorValues.FloatFiller basisFiller() {
    return (start, dst, count) -> {
      for (int i = 0; i < count; i++) {
        int idx = (int) start + i;
        int x = idx % 8;
        int y = (idx / 8) % 8;
        int c = (idx / 64) % 3;
        int j = idx / 192;
        dst[i] = (float) ShapesDataset.basis(j, c, y, x);
      }
    };
  }

  /** y_k, [16, 4, L, L]. */
  private static TensorValues.FloatFiller latentFiller(ShapesDataset data) {
    float[] all = new float[ShapesDataset.IMAGES * 4 * data.latentSize() * data.latentSize()];
    int per = all.length / ShapesDataset.IMAGES;
    for (int k = 0; k < ShapesDataset.IMAGES; k++) {
      double[] yk = data.scaledLatent(k);
      for (int i = 0; i < per; i++) {
        all[k * per + i] = (float) yk[i];
      }
    }
    return (start, dst, count) -> System.arraycopy(all, (int) start, dst, 0, count);
  }

  /** −β·(1 − A_kj) as [8, K]. */
  private static TensorValues.FloatFiller priorFiller(double beta) {
    return (start, dst, count) -> {
      for (int i = 0; i < count; i++) {
        int idx = (int) start + i;
        int j = idx / ShapesDataset.IMAGES;
        int k = idx % ShapesDataset.IMAGES;
        dst[i] = (float) (-beta * (1 - ShapesDataset.attributes(k)[j]));
      }
    };
  }
}
