package io.github.ldm4j.demo;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.ldm4j.demo.testsupport.OrtFolder;
import io.github.ldm4j.demo.testsupport.PromptIds;
import io.github.ldm4j.export.folder.ExportFlavor;
import io.github.ldm4j.export.folder.Precision;
import io.github.ldm4j.model.Parameterization;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The demo model's any-size UNet ({@link ShapesOptions.Sizes#ANY}) against the specification's
 * formulas in double ({@link ReferenceOracle}) over {@link ShapesDataset} drawn at the requested size:
 * at its own size it is the fixed oracle, at other sizes the oracle of the images drawn there (scaled
 * by the model's own scaling factor, β at that size).
 */
class ShapesAnySizeTest {

  /** As {@link ShapesOracleNumericsTest#TOLERANCE}: float32 rounding, relative to 1 + max|ε|. */
  static final double TOLERANCE = 5e-5;

  @TempDir Path tmp;

  static double maxAbs(double[] v) {
    double m = 0;
    for (double d : v) {
      m = Math.max(m, Math.abs(d));
    }
    return m;
  }

  /** ε of the model at latent side l against the reference built on the images drawn at 8·l px. */
  static void assertMatchesReference(OrtFolder m, ReferenceOracle ref, int l, long seed) throws Exception {
    int dim = 4 * l * l;
    ShapesDataset data = ref.data();
    Random r = new Random(seed);
    long[][] prompts = {PromptIds.of("a red circle"), PromptIds.of("a green cross")};
    double[][] presence = new double[2][8];
    presence[0][0] = presence[0][4] = 1;
    presence[1][1] = presence[1][7] = 1;
    OrtFolder.Out ctx = m.encodeText(prompts)[0];
    for (double t : new double[] {0, 20.25, 499.5, 800, 999}) {
      double ab = ReferenceOracle.alphaBar(t);
      float[] x = new float[2 * dim];
      for (int b = 0; b < 2; b++) {
        double[] y = data.rawLatent(r.nextInt(16));
        for (int i = 0; i < dim; i++) {
          x[b * dim + i] = (float) (Math.sqrt(ab) * y[i] * 0.28 + Math.sqrt(1 - ab) * r.nextGaussian());
        }
      }
      float[] eps = m.unet(x, new long[] {2, 4, l, l}, t, ctx.data(), ctx.shape()).data();
      assertThat(eps).hasSize(2 * dim);
      for (int b = 0; b < 2; b++) {
        double[] e = ref.eps(x, b * dim, t, ref.weights(x, b * dim, t, presence[b], null, null, 0));
        double scale = 1 + maxAbs(e);
        for (int i = 0; i < dim; i++) {
          assertThat(Math.abs(eps[b * dim + i] - e[i]) / scale).as("side %d t=%s item %d elem %d", 8 * l, t, b, i)
              .isLessThan(TOLERANCE);
        }
      }
    }
  }

  @Test
  void atItsOwnSizeItIsTheFixedOracle() throws Exception {
    int size = 64;
    ShapesOptions opts = ShapesOptions.demo().withImageSize(size);
    ShapesModel.write(tmp, opts);
    try (OrtFolder m = new OrtFolder(tmp, opts.flavor(), opts.precision())) {
      assertMatchesReference(m, new ReferenceOracle(ShapesDataset.of(size), opts.beta()), size / 8, 1);
    }
  }

  @Test
  void atOtherSizesItDrawsTheImagesThere() throws Exception {
    ShapesOptions opts = ShapesOptions.demo().withImageSize(64);
    ShapesModel.write(tmp, opts);
    double sf = ShapesDataset.of(64).scalingFactor();
    try (OrtFolder m = new OrtFolder(tmp, opts.flavor(), opts.precision())) {
      for (int size : new int[] {16, 40, 96, 200}) {
        double beta = PriorStrength.scaledWithSize().beta(size); // 12 up to 128 px, 12·(200/128)² at 200
        assertMatchesReference(m, new ReferenceOracle(ShapesDataset.of(size), beta, sf), size / 8, size);
      }
    }
  }

  @Test
  void nonSquareImagesHaveTheShapeCentredOnTheBackground() throws Exception {
    ShapesOptions opts = ShapesOptions.demo().withImageSize(64).withPrediction(Parameterization.X0)
        .withFlavor(ExportFlavor.LEGACY);
    ShapesModel.write(tmp, opts);
    int h = 64;
    int w = 128;
    try (OrtFolder m = new OrtFolder(tmp, ExportFlavor.LEGACY, Precision.FP32)) {
      OrtFolder.Out ctx = m.encodeText(new long[][] {PromptIds.of("a blue square")})[0];
      // x_t = 0 at t = 999: the posterior is the prior's, the blue square; x̂0 is its latent
      float[] x0 = m.unet(new float[4 * (h / 8) * (w / 8)], new long[] {1, 4, h / 8, w / 8}, 999, ctx.data(),
          ctx.shape()).data();
      double sf = ShapesDataset.of(64).scalingFactor();
      for (int i = 0; i < x0.length; i++) {
        x0[i] /= (float) sf; // the decoder takes unscaled latents
      }
      float[] img = m.decode(x0, new long[] {1, 4, h / 8, w / 8}).data();
      double bg = ShapesDataset.backgroundSigned();
      int[] blue = {40, 80, 220};
      for (int c = 0; c < 3; c++) {
        double centre = img[(c * h + h / 2) * w + w / 2];
        assertThat(centre).as("centre channel %d", c).isCloseTo(blue[c] / 127.5 - 1, org.assertj.core.data.Offset.offset(0.05));
        // the square spans 0.6·64 px = 38 px: columns 0–40 and 88–127 are background
        assertThat((double) img[(c * h + h / 2) * w + 4]).as("left edge channel %d", c)
            .isCloseTo(bg, org.assertj.core.data.Offset.offset(0.05));
        assertThat((double) img[(c * h + h / 2) * w + w - 5]).as("right edge channel %d", c)
            .isCloseTo(bg, org.assertj.core.data.Offset.offset(0.05));
      }
    }
  }
}
