package io.github.ldm4j.demo;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.ldm4j.demo.testsupport.DdimLoop;
import io.github.ldm4j.demo.testsupport.OrtFolder;
import io.github.ldm4j.demo.testsupport.PromptIds;
import io.github.ldm4j.export.folder.ExportFlavor;
import io.github.ldm4j.export.folder.PipelineVariant;
import io.github.ldm4j.export.folder.Precision;
import io.github.ldm4j.model.Parameterization;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The ONNX oracle against the specification's formulas evaluated in double precision
 * ({@link ReferenceOracle}), at integer and fractional timesteps, for the eps, x0 and v outputs,
 * the text encoder's table and the first stage.
 */
class ShapesOracleNumericsTest {

  static final int SIZE = 64;
  static final int L = SIZE / 8;
  static final int DIM = 4 * L * L;
  /**
   * Error relative to 1 + max|ε|: the graph's float32 rounding measured ≤ 1.0e-5 (largest at t = 0,
   * where 1/√(1 − ᾱ) = 34); a wrong ᾱ (e.g. the table value at ⌊t⌋ for t = 499.5) errs by ~5e-4.
   */
  static final double TOLERANCE = 5e-5;

  @TempDir
  Path tmp;

  @Test
  void textEncoderIsTheAttributeTable() throws Exception {
    ShapesModel.write(tmp, ShapesOptions.defaults().withImageSize(SIZE).withFlavor(ExportFlavor.LEGACY));
    try (OrtFolder m = new OrtFolder(tmp, ExportFlavor.LEGACY, Precision.FP32)) {
      OrtFolder.Out[] out = m.encodeText(new long[][] {PromptIds.of("a yellow triangle"), PromptIds.of("")});
      float[] h = out[0].data();
      // "a yellow triangle": BOS, a, yellow (attribute 3), triangle (attribute 6), EOS…
      for (int i = 0; i < PromptIds.LENGTH; i++) {
        for (int j = 0; j < 8; j++) {
          float expected = (i == 2 && j == 3) || (i == 3 && j == 6) ? 1f : 0f;
          assertThat(h[i * 8 + j]).as("token %d attribute %d", i, j).isEqualTo(expected);
        }
      }
      for (int i = 0; i < PromptIds.LENGTH * 8; i++) {
        assertThat(h[PromptIds.LENGTH * 8 + i]).isZero();
      }
      assertThat(out[1].data()).containsOnly(0f);
    }
  }

  @Test
  void unetMatchesTheFormulasAtIntegerAndFractionalTimesteps() throws Exception {
    ShapesDataset data = ShapesDataset.of(SIZE);
    ReferenceOracle ref = new ReferenceOracle(data, PriorStrength.SPEC_BETA);
    for (Parameterization pred : Parameterization.values()) {
      Path dir = tmp.resolve(pred.name());
      ShapesOptions opts = ShapesOptions.defaults().withImageSize(SIZE).withFlavor(ExportFlavor.LEGACY)
          .withPrediction(pred);
      ShapesModel.write(dir, opts);
      try (OrtFolder m = new OrtFolder(dir, opts.flavor(), opts.precision())) {
        Random r = new Random(pred.ordinal());
        long[][] prompts = {PromptIds.of("a red circle"), PromptIds.of("blue"), PromptIds.of(""),
            PromptIds.of("a green cross")};
        OrtFolder.Out ctx = m.encodeText(prompts)[0];
        double[][] presence = new double[4][8];
        presence[0][0] = presence[0][4] = 1;
        presence[1][2] = 1;
        presence[3][1] = presence[3][7] = 1;
        for (double t : new double[] {0, 1, 20.25, 250, 499.5, 500, 731.875, 981, 999}) {
          // x_t near a noised dataset image so that the posterior is not trivially one-hot.
          float[] x = new float[4 * DIM];
          double ab = ReferenceOracle.alphaBar(t);
          for (int b = 0; b < 4; b++) {
            double[] y = data.scaledLatent(r.nextInt(16));
            for (int i = 0; i < DIM; i++) {
              x[b * DIM + i] = (float) (Math.sqrt(ab) * y[i] + Math.sqrt(1 - ab) * r.nextGaussian());
            }
          }
          // One timestep per item (legacy [B] input), all equal to t.
          float[] out = m.unet(x, new long[] {4, 4, L, L}, new double[] {t, t, t, t}, ctx.data(), ctx.shape()).data();
          float[] eps = DdimLoop.toEps(pred, out, x, ab);
          for (int b = 0; b < 4; b++) {
            double[] e = ref.eps(x, b * DIM, t, ref.weights(x, b * DIM, t, presence[b], null, null, 0));
            double scale = 1 + maxAbs(e);
            for (int i = 0; i < DIM; i++) {
              assertThat(Math.abs(eps[b * DIM + i] - e[i]) / scale).as("%s t=%s item %d elem %d", pred, t, b, i)
                  .isLessThan(TOLERANCE);
            }
          }
        }
      }
    }
  }

  @Test
  void inpaintingEvidenceMatchesTheFormula() throws Exception {
    ShapesDataset data = ShapesDataset.of(SIZE);
    ReferenceOracle ref = new ReferenceOracle(data, PriorStrength.SPEC_BETA);
    ShapesOptions opts = ShapesOptions.defaults().withImageSize(SIZE).withVariant(PipelineVariant.INPAINTING)
        .withFlavor(ExportFlavor.OPENVINO);
    ShapesModel.write(tmp, opts);
    Random r = new Random(3);
    try (OrtFolder m = new OrtFolder(tmp, opts.flavor(), opts.precision())) {
      OrtFolder.Out ctx = m.encodeText(new long[][] {PromptIds.of("")})[0];
      int per = L * L;
      for (int t : new int[] {100, 600, 900}) {
        double ab = ReferenceOracle.alphaBar(t);
        float[] in = new float[9 * per];
        float[] x = new float[DIM];
        float[] mask = new float[per];
        float[] c = new float[DIM];
        double[] y = data.scaledLatent(5);
        for (int i = 0; i < DIM; i++) {
          x[i] = (float) r.nextGaussian();
          c[i] = (float) (y[i] + 0.3 * r.nextGaussian());
        }
        for (int i = 0; i < per; i++) {
          mask[i] = r.nextInt(3) == 0 ? 0f : (r.nextBoolean() ? 1f : 0.5f);
        }
        System.arraycopy(x, 0, in, 0, DIM);
        System.arraycopy(mask, 0, in, DIM, per);
        System.arraycopy(c, 0, in, DIM + per, DIM);
        float[] eps = m.unet(in, new long[] {1, 9, L, L}, t, ctx.data(), ctx.shape()).data();
        double[] e = ref.eps(x, 0, t, ref.weights(x, 0, t, new double[8], mask, c, 0));
        double scale = 1 + maxAbs(e);
        for (int i = 0; i < DIM; i++) {
          assertThat(Math.abs(eps[i] - e[i]) / scale).as("t=%d elem %d", t, i).isLessThan(TOLERANCE);
        }
      }
    }
  }

  @Test
  void firstStageIsThePatchBasis() throws Exception {
    ShapesDataset data = ShapesDataset.of(SIZE);
    ShapesModel.write(tmp, ShapesOptions.defaults().withImageSize(SIZE));
    try (OrtFolder m = new OrtFolder(tmp, ExportFlavor.OPTIMUM, Precision.FP32)) {
      for (int k : new int[] {0, 7, 13}) {
        double[] chw = ShapesDataset.toSigned(data.image(k), SIZE);
        float[] img = new float[chw.length];
        for (int i = 0; i < img.length; i++) {
          img[i] = (float) chw[i];
        }
        float[] params = m.encode(img, new long[] {1, 3, SIZE, SIZE}).data();
        double[] z = data.rawLatent(k);
        for (int i = 0; i < DIM; i++) {
          assertThat((double) params[i]).isCloseTo(z[i], org.assertj.core.data.Offset.offset(1e-4));
          assertThat(params[DIM + i]).isEqualTo(-30f);
        }
        float[] zf = new float[DIM];
        for (int i = 0; i < DIM; i++) {
          zf[i] = (float) z[i];
        }
        float[] dec = m.decode(zf, new long[] {1, 4, L, L}).data();
        double[] expected = ShapesDataset.decode(z, L);
        for (int i = 0; i < dec.length; i++) {
          assertThat((double) dec[i]).isCloseTo(expected[i], org.assertj.core.data.Offset.offset(1e-5));
        }
      }
    }
  }

  static double maxAbs(double[] v) {
    double m = 0;
    for (double d : v) {
      m = Math.max(m, Math.abs(d));
    }
    return m;
  }
}
