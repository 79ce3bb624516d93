package io.github.ldm4j.demo.internal;

import io.github.ldm4j.conditioning.clip.ClipVocabulary;
import io.github.ldm4j.demo.PriorStrength;
import io.github.ldm4j.demo.ShapeColour;
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
import java.util.Optional;

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
    return unet(data, flavor, precision, pred, variant, beta, Optional.empty());
  }

  /**
   * The oracle UNet that takes any latent size: the dataset latents are drawn inside the graph at
   * the size of {@code sample} ({@link #renderedLatents}), scaled by {@code data}'s scaling factor, and
   * β follows {@code prior} at that size (for a W×H image, β of a square of the same area).
   */
  public static OnnxGraph unetAnySize(ShapesDataset data, ExportFlavor flavor, Precision precision,
      Parameterization pred, PipelineVariant variant, PriorStrength prior) {
    return unet(data, flavor, precision, pred, variant, Double.NaN, Optional.of(prior));
  }

  private static OnnxGraph unet(ShapesDataset data, ExportFlavor flavor, Precision precision, Parameterization pred,
      PipelineVariant variant, double beta, Optional<PriorStrength> anySize) {
    GraphBuilder g = new GraphBuilder("unet");
    ElementType ft = precision.floatType();
    Ops o = new Ops(g, F32);
    boolean inpaint = variant == PipelineVariant.INPAINTING;
    int l = data.latentSize();
    int k = ShapesDataset.IMAGES;
    long dim = 4L * l * l;
    Dim b = Dim.symbolic("batch");
    Dim lh = anySize.isPresent() ? Dim.symbolic("latent_height") : Dim.of(l);
    Dim lw = anySize.isPresent() ? Dim.symbolic("latent_width") : Dim.of(l);
    Value sample = g.input("sample", TensorType.of(ft, b, Dim.of(inpaint ? 9 : 4), lh, lw));
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

    Value y = anySize.isPresent() ? renderedLatents(o, xt, data.scalingFactor())
        : g.parameter("dataset_latents", F32, new long[] {k, 4, l, l}, latentFiller(data));
    Value yFlat = anySize.isPresent() ? o.reshape(y, k, -1) : o.reshape(y, k, dim);       // [K, D]
    Value xtFlat = anySize.isPresent() ? o.reshape(xt, 0, 1, -1) : o.reshape(xt, -1, 1, dim); // [N, 1, D]
    Value diff = o.sub(xtFlat, o.mul(o.unsqueeze(sqrtAb, 2), o.unsqueeze(yFlat, 0)));
    Value dist = o.reduceSumSquare(diff, false, 2);                     // [N, K]

    Value presence = o.reduceMax(toF32(o, context, ft), false, 1);     // [N, 8]
    Value prior = anySize.isPresent()
        ? o.mul(o.matMul(presence, g.parameter("prior_weights", F32, new long[] {HIDDEN, k}, priorFiller(1))),
            betaAtSize(o, xt, anySize.get()))
        : o.matMul(presence, g.parameter("prior_weights", F32, new long[] {HIDDEN, k}, priorFiller(beta)));
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
    Value x0 = anySize.isPresent() ? o.reshape(o.matMul(w, yFlat), o.shape(xt)) : o.reshape(o.matMul(w, yFlat), -1, 4, l, l);
    Value sab4 = o.reshape(sqrtAb, -1, 1, 1, 1);
    Value s14 = o.reshape(o.unary("Sqrt", oneMinusAb), -1, 1, 1, 1);
    Value eps = o.div(o.sub(xt, o.mul(sab4, x0)), s14);
    Value out = switch (pred) {
      case EPS -> eps;
      case X0 -> x0;
      case V -> o.sub(o.mul(sab4, eps), o.mul(s14, x0));
    };
    g.output(fromF32(o, out, ft), "out_sample", TensorType.of(ft, b, Dim.of(4), lh, lw));
    return g.build();
  }

  /**
   * β [1] for the latent {@code xt} [N, 4, h, w]: {@code prior}'s β for a square image of the same
   * area, (8h·8w)^½ px — {@link PriorStrength.ScaledWithSize} grows with the latent dimension h·w.
   */
  static Value betaAtSize(Ops o, Value xt, PriorStrength prior) {
    if (prior instanceof PriorStrength.Fixed f) {
      return o.floats(new long[] {1}, (float) f.value());
    }
    if (!(prior instanceof PriorStrength.ScaledWithSize)) {
      throw new IllegalArgumentException("unsupported prior strength " + prior);
    }
    Value hw = o.cast(o.slice(o.shape(xt), new long[] {2}, new long[] {4}, new long[] {0}), F32); // [2]: h, w
    Value area = o.scale(o.mul(o.gather(hw, o.int64s(0), 0), o.gather(hw, o.int64s(1), 0)),
        ShapesDataset.PATCH * ShapesDataset.PATCH);                                                  // [1]: 8h·8w
    double ref = ShapesDataset.PATCH * 16.0; // β(S) = 12·max(1, (S/128)²): S² / 128² = area / 128²
    return o.reshape(o.scale(o.max(o.scale(area, (float) (1 / (ref * ref))), o.scalar(1f)),
        (float) PriorStrength.SPEC_BETA), 1);
  }

  /**
   * The 16 dataset latents y_k = scalingFactor · encode(image_k) with the images drawn at the size of
   * {@code xt} ([N, 4, h, w] → images of 8h × 8w px), as {@link ShapesDataset} draws them: each shape
   * centred and sized by the shorter side s = min(8h, 8w), 4×4 supersampling, the 8-bit value
   * (230·(16 − n) + c·n + 8) div 16 for n covered subsamples, then the patch encoder. The coverage
   * tests run in exact integer arithmetic (held in doubles): a subsample's offset from the centre is
   * X/(8s) with X odd, so e.g. the circle's dx² + dy² ≤ 0.3² is 100(X² + Y²) ≤ 576s², which no
   * subsample meets with equality — the same decisions as {@code ShapesDataset}'s double tests, so at
   * the dataset's own size the images are the dataset's, byte for byte. Returns [16, 4, h, w] float32.
   */
  static Value renderedLatents(Ops o, Value xt, double scalingFactor) {
    GraphBuilder g = o.graph();
    Ops d = new Ops(g, ElementType.DOUBLE);
    int ss = 4; // supersampling per axis
    Value hw = o.cast(o.slice(o.shape(xt), new long[] {2}, new long[] {4}, new long[] {0}), ElementType.DOUBLE);
    Value pixH = squeeze(g, o.gather(d.scale(hw, ShapesDataset.PATCH), o.int64s(0), 0));
    Value pixW = squeeze(g, o.gather(d.scale(hw, ShapesDataset.PATCH), o.int64s(1), 0));
    Value side = d.min(pixH, pixW);
    // subsample m of an axis of n pixels (m = ss·pixel + sub): X = 2m + 1 − ss·n, offset X / (8s)
    Value xs = g.op("Range", List.of(d.scalar(0f), d.scale(pixW, ss), d.scalar(1f)));
    Value ys = g.op("Range", List.of(d.scalar(0f), d.scale(pixH, ss), d.scalar(1f)));
    Value x = d.sub(d.add(d.scale(xs, 2), d.scalar(1f)), d.scale(pixW, ss));
    Value y = d.sub(d.add(d.scale(ys, 2), d.scalar(1f)), d.scale(pixH, ss));
    x = o.reshape(o.transpose(o.reshape(x, -1, ss), 1, 0), 1, ss, 1, -1);   // [1, sx, 1, W]
    y = o.reshape(o.transpose(o.reshape(y, -1, ss), 1, 0), ss, 1, -1, 1);   // [sy, 1, H, 1]
    Value ax = d.unary("Abs", x);
    Value ay = d.unary("Abs", y);
    Value s12 = d.scale(side, 12);
    Value s8 = d.scale(side, 8);
    // circle: 100·X² ≤ 576·s² − 100·Y², integers on both sides, one broadcast comparison
    Value circle = le(g, d.scale(d.mul(x, x), 100), d.sub(d.scale(d.mul(side, side), 576), d.scale(d.mul(y, y), 100)));
    Value square = and(g, le(g, d.scale(ax, 5), s12), le(g, d.scale(ay, 5), s12));
    Value triangle = and(g, and(g, le(g, d.scale(side, -12), d.scale(y, 5)), le(g, d.scale(y, 5), s12)),
        le(g, d.scale(ax, 10), d.add(d.scale(y, 5), s12)));
    Value cross = g.op("Or", List.of(and(g, le(g, d.scale(ax, 10), s8), le(g, d.scale(ay, 5), s12)),
        and(g, le(g, d.scale(ay, 10), s8), le(g, d.scale(ax, 5), s12))));
    Value[] masks = {circle, square, triangle, cross}; // ShapeKind order; each is [sy, sx, H, W] already
    for (int i = 0; i < 4; i++) {
      masks[i] = o.unsqueeze(masks[i], 0);
    }
    Value hwPix = o.slice(o.shape(circle), new long[] {2}, new long[] {4}, new long[] {0});    // [H, W]
    // covered subsamples per pixel: a [1, 16] · [16, H·W] product per shape (faster than reducing leading axes)
    Value flat = o.reshape(o.cast(o.concat(0, masks), F32), 4, ss * ss, -1);                 // [shape, 16, H·W]
    Value n = o.reshape(o.matMul(o.floats(new long[] {1, ss * ss}, ones(ss * ss)), flat),
        o.concat(0, o.int64s(4, 1), hwPix));                                                  // [shape, 1, H, W]
    // the 8-bit level (230·(16 − n) + c·n + 8) div 16 = ⌊(3688 + (c − 230)·n) / 16⌋ of each colour
    // channel (exact in float32), in [−1, 1]: [shape, colour·3 + channel, H, W]
    int n2 = ss * ss;
    float[] delta = new float[4 * 3];
    for (ShapeColour c : ShapeColour.values()) {
      for (int ch = 0; ch < 3; ch++) {
        delta[c.ordinal() * 3 + ch] = c.channel(ch) - ShapesDataset.BACKGROUND;
      }
    }
    for (int i = 0; i < delta.length; i++) {
      delta[i] /= n2; // ⌊230.5 + (δ/16)·n⌋, each step exact in float32
    }
    Value level = o.unary("Floor", o.add(o.mul(n, o.floats(new long[] {1, 12, 1, 1}, delta)),
        o.scalar(ShapesDataset.BACKGROUND + 0.5f)));
    // the patch encoder per colour on the 8-bit levels: a grouped Conv (4 groups: colour c's 3 channels →
    // its 4 latents) with the [−1, 1] mapping v/127.5 − 1 folded into its weight (B/127.5) and bias
    // (−Σ B·(1 + bg))
    int p = ShapesDataset.PATCH;
    Value w = g.parameter("dataset_encoder.weight", F32, new long[] {16, 3, p, p}, (st, dst, c) -> {
      for (int i = 0; i < c; i++) {
        dst[i] = (float) (basisElement((int) ((st + i) % (4 * 3 * p * p))) / 127.5); // the same basis per colour
      }
    });
    Value bias = g.parameter("dataset_encoder.bias", F32, new long[] {16}, (st, dst, c) -> {
      for (int i = 0; i < c; i++) {
        int j = (int) ((st + i) % 4);
        dst[i] = (float) (ShapesDataset.encoderBias(j) * (1 + ShapesDataset.backgroundSigned())
            / ShapesDataset.backgroundSigned());
      }
    });
    Value zs = g.op("Conv", List.of(level, w, bias), Attribute.ints("kernel_shape", p, p),
        Attribute.ints("strides", p, p), Attribute.of("group", 4));                          // [shape, colour·4 + j, h, w]
    Value lhw = o.slice(o.shape(zs), new long[] {2}, new long[] {4}, new long[] {0});
    Value z = o.reshape(o.transpose(o.reshape(zs, o.concat(0, o.int64s(4, 4, 4), lhw)), 1, 0, 2, 3, 4),
        o.concat(0, o.int64s(ShapesDataset.IMAGES, 4), lhw));                                // [colour·4 + shape, j, h, w]
    return o.scale(z, (float) scalingFactor);
  }

  private static float[] ones(int n) {
    float[] v = new float[n];
    java.util.Arrays.fill(v, 1f);
    return v;
  }

  private static Value squeeze(GraphBuilder g, Value x) {
    return g.op("Squeeze", List.of(x));
  }

  private static Value le(GraphBuilder g, Value a, Value b) {
    return g.op("LessOrEqual", List.of(a, b));
  }

  private static Value and(GraphBuilder g, Value a, Value b) {
    return g.op("And", List.of(a, b));
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
        dst[i] = (float) basisElement((int) start + i);
      }
    };
  }

  /** Element {@code idx} (row-major) of the [4, 3, 8, 8] basis W[j, c, y, x] = B[(c, y, x), j]. */
  private static double basisElement(int idx) {
    int x = idx % 8;
    int y = (idx / 8) % 8;
    int c = (idx / 64) % 3;
    int j = idx / 192;
    return ShapesDataset.basis(j, c, y, x);
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
