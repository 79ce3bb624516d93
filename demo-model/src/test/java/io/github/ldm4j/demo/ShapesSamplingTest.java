package io.github.ldm4j.demo;

import static org.assertj.core.api.Assertions.assertThat;

import ai.onnxruntime.OrtException;
import io.github.ldm4j.demo.testsupport.DdimLoop;
import io.github.ldm4j.demo.testsupport.OrtFolder;
import io.github.ldm4j.demo.testsupport.PromptIds;
import io.github.ldm4j.export.folder.ExportFlavor;
import io.github.ldm4j.export.folder.PipelineVariant;
import io.github.ldm4j.export.folder.Precision;
import io.github.ldm4j.model.Parameterization;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The oracle's promise: ONNX Runtime + a plain DDIM loop (50 steps, SD v1 schedule, η = 0) turn
 * each colour × shape prompt into that dataset image.
 *
 * <p>MAE is in 0..255 units against the original dataset image. Its floor is the first stage's own
 * reconstruction error (8×8 patches averaged at shape edges), measured by {@link #reconstructionMae}:
 * 6.2–14.0 at 64 px, 2.8–6.2 at 128 px, 1.04 for the 512 px red circle. Generated images exceed it
 * by the residual noise DDIM leaves at its last step (√(1 − ᾱ₀)·ε, ᾱ₀ = 0.99915): measured at most
 * 1.09 (64 px), 1.34 (128 px) and 1.48 (512 px), so the bound is reconstruction + {@link #MARGIN}.
 * Measured worst MAEs: 15.1 at 64 px, 7.6 at 128 px, 2.5 at 512 px; at 128 px the second-nearest
 * dataset image is at least 4.0 further away.
 */
class ShapesSamplingTest {

  /** Generated minus reconstruction MAE allowed (0..255 units); measured ≤ 1.48. */
  static final double MARGIN = 2;

  @TempDir
  static Path tmp;

  static long[][] colourShapePrompts() {
    long[][] ids = new long[16][];
    for (int k = 0; k < 16; k++) {
      ids[k] = PromptIds.of("a " + ShapesDataset.colourOf(k).word() + " " + ShapesDataset.kindOf(k).word());
    }
    return ids;
  }

  static long[][] repeat(String prompt, int n) {
    long[][] ids = new long[n][];
    for (int i = 0; i < n; i++) {
      ids[i] = PromptIds.of(prompt);
    }
    return ids;
  }

  @Test
  void guidedPromptsAt128GiveTheirImages() throws Exception {
    Path dir = tmp.resolve("guided128");
    ShapesOptions opts = ShapesOptions.defaults().withImageSize(128);
    assertThat(opts.beta()).isEqualTo(PriorStrength.SPEC_BETA);
    ShapesModel.write(dir, opts);
    float[] img = generate(dir, opts, colourShapePrompts(), 42, 7.5, 50);
    assertEachIsItsPrompt(img, ShapesDataset.of(128));
  }

  @Test
  void unguidedPromptsAt64GiveTheirImagesInTheLegacyFlavor() throws Exception {
    Path dir = tmp.resolve("legacy64");
    ShapesOptions opts = ShapesOptions.defaults().withImageSize(64).withFlavor(ExportFlavor.LEGACY);
    ShapesModel.write(dir, opts);
    float[] img = generate(dir, opts, colourShapePrompts(), 7, 1, 50);
    assertEachIsItsPrompt(img, ShapesDataset.of(64));
  }

  @Test
  void emptyPromptGivesOneOfTheSixteenImages() throws Exception {
    Path dir = tmp.resolve("empty64");
    ShapesOptions opts = ShapesOptions.defaults().withImageSize(64);
    ShapesModel.write(dir, opts);
    ShapesDataset data = ShapesDataset.of(64);
    int n = 8;
    float[] img = generate(dir, opts, repeat("", n), 3, 1, 50);
    for (int b = 0; b < n; b++) {
      int best = nearest(img, b, data);
      assertThat(mae(img, b, data, best)).isLessThan(reconstructionMae(data, best) + MARGIN);
    }
  }

  @Test
  void x0AndVVariantsSampleLikeEps() throws Exception {
    ShapesOptions eps = ShapesOptions.defaults().withImageSize(64);
    long[][] prompts = colourShapePrompts();
    float[] ref = latents(tmp.resolve("eps64"), eps, prompts, 11, 7.5, 20);
    for (Parameterization p : new Parameterization[] {Parameterization.X0, Parameterization.V}) {
      float[] other = latents(tmp.resolve(p + "64"), eps.withPrediction(p), prompts, 11, 7.5, 20);
      // Measured 2.4e-7: the three outputs are the same float32 x̂₀ and ε, rearranged.
      assertThat(maxAbsDiff(ref, other)).as(p.toString()).isLessThan(1e-5);
    }
  }

  @Test
  void fp16OpenVinoStyleVariantSamplesLikeFp32() throws Exception {
    ShapesOptions fp32 = ShapesOptions.defaults().withImageSize(64).withFlavor(ExportFlavor.OPENVINO);
    long[][] prompts = colourShapePrompts();
    float[] ref = latents(tmp.resolve("ov32"), fp32, prompts, 5, 7.5, 20);
    float[] half = latents(tmp.resolve("ov16"), fp32.withPrecision(Precision.FP16), prompts, 5, 7.5, 20);
    ShapesDataset data = ShapesDataset.of(64);
    // Measured 1.3e-3 (fp16 inputs/outputs of a float32 computation).
    assertThat(maxAbsDiff(ref, half)).isLessThan(0.01);
    try (OrtFolder m = new OrtFolder(tmp.resolve("ov16"), ExportFlavor.OPENVINO, Precision.FP16)) {
      float[] img = decode(m, half, 16, data);
      assertEachIsItsPrompt(img, data);
    }
  }

  @Test
  void inpaintingRecoversTheImageFromItsVisibleHalf() throws Exception {
    int size = 64;
    int l = size / 8;
    Path dir = tmp.resolve("inpaint64");
    ShapesOptions opts = ShapesOptions.defaults().withImageSize(size).withVariant(PipelineVariant.INPAINTING);
    ShapesModel.write(dir, opts);
    ShapesDataset data = ShapesDataset.of(size);
    int n = 16;
    try (OrtFolder m = new OrtFolder(dir, opts.flavor(), opts.precision())) {
      // Image k with its right half masked (pixels set to 0, as pipelines do); m = 1 on the right half.
      float[] masked = new float[n * 3 * size * size];
      for (int k = 0; k < n; k++) {
        double[] chw = ShapesDataset.toSigned(data.image(k), size);
        for (int c = 0; c < 3; c++) {
          for (int y = 0; y < size; y++) {
            for (int x = 0; x < size; x++) {
              int i = (c * size + y) * size + x;
              masked[k * 3 * size * size + i] = x < size / 2 ? (float) chw[i] : 0f;
            }
          }
        }
      }
      float[] params = m.encode(masked, new long[] {n, 3, size, size}).data(); // mean ‖ logvar
      float sf = (float) data.scalingFactor();
      float[] extra = new float[n * 5 * l * l];
      for (int k = 0; k < n; k++) {
        for (int y = 0; y < l; y++) {
          for (int x = 0; x < l; x++) {
            extra[(k * 5) * l * l + y * l + x] = x < l / 2 ? 0f : 1f;
          }
        }
        for (int i = 0; i < 4 * l * l; i++) {
          extra[(k * 5 + 1) * l * l + i] = sf * params[k * 8 * l * l + i];
        }
      }
      OrtFolder.Out ctx = m.encodeText(repeat("", n))[0];
      float[] x = DdimLoop.noise(n * 4 * l * l, 17);
      DdimLoop.run(m, Parameterization.EPS, x, n, l, extra, ctx.data(), ctx.shape(), null, 1, 50);
      assertEachIsItsPrompt(decode(m, x, n, data), data);
    }
  }

  @Test
  void defaultDemoModelAt512DrawsARedCircle() throws Exception {
    Path dir = tmp.resolve("demo512");
    ShapesOptions opts = ShapesOptions.defaults();
    var folder = ShapesModel.write(dir, opts);
    assertThat(folder.totalBytes()).isLessThan(8_000_000);
    ShapesDataset data = ShapesDataset.of(512);
    float[] img = generate(dir, opts, new long[][] {PromptIds.of("A red circle")}, 1, 7.5, 20);
    int k = ShapesDataset.index(ShapeColour.RED, ShapeKind.CIRCLE);
    assertThat(nearest(img, 0, data)).isEqualTo(k);
    assertThat(mae(img, 0, data, k)).isLessThan(reconstructionMae(data, k) + MARGIN);
  }

  // ------------------------------------------------------------------ helpers

  static float[] latents(Path dir, ShapesOptions opts, long[][] prompts, long seed, double guidance, int steps)
      throws OrtException {
    ShapesModel.write(dir, opts);
    int n = prompts.length;
    int l = opts.imageSize() / 8;
    try (OrtFolder m = new OrtFolder(dir, opts.flavor(), opts.precision())) {
      OrtFolder.Out ctx = m.encodeText(prompts)[0];
      float[] uncond = guidance == 1 ? null : m.encodeText(repeat("", n))[0].data();
      float[] x = DdimLoop.noise(n * 4 * l * l, seed);
      return DdimLoop.run(m, opts.prediction(), x, n, l, null, ctx.data(), ctx.shape(), uncond, guidance, steps);
    }
  }

  static float[] generate(Path dir, ShapesOptions opts, long[][] prompts, long seed, double guidance, int steps)
      throws OrtException {
    float[] x = latents(dir, opts, prompts, seed, guidance, steps);
    try (OrtFolder m = new OrtFolder(dir, opts.flavor(), opts.precision())) {
      return decode(m, x, prompts.length, ShapesDataset.of(opts.imageSize()));
    }
  }

  static float[] decode(OrtFolder m, float[] latents, int n, ShapesDataset data) throws OrtException {
    int l = data.latentSize();
    float[] z = latents.clone();
    float sf = (float) data.scalingFactor();
    for (int i = 0; i < z.length; i++) {
      z[i] /= sf;
    }
    return m.decode(z, new long[] {n, 4, l, l}).data();
  }

  static void assertEachIsItsPrompt(float[] img, ShapesDataset data) {
    for (int k = 0; k < 16; k++) {
      int best = nearest(img, k, data);
      double err = mae(img, k, data, best);
      assertThat(best).as("prompt %d nearest image", k).isEqualTo(k);
      assertThat(err).as("prompt %d MAE", k).isLessThan(reconstructionMae(data, k) + MARGIN);
    }
  }

  static int nearest(float[] img, int b, ShapesDataset data) {
    int best = -1;
    double bestErr = Double.MAX_VALUE;
    for (int j = 0; j < 16; j++) {
      double e = mae(img, b, data, j);
      if (e < bestErr) {
        bestErr = e;
        best = j;
      }
    }
    return best;
  }

  /** MAE (0..255) between decoded image b of a batch ([B, 3, S, S] in [−1, 1]) and dataset image j. */
  static double mae(float[] img, int b, ShapesDataset data, int j) {
    int side = data.imageSize();
    int n = side * side;
    byte[] rgb = data.image(j);
    double sum = 0;
    for (int i = 0; i < n; i++) {
      for (int c = 0; c < 3; c++) {
        double v = Math.max(0, Math.min(255, (img[b * 3 * n + c * n + i] + 1) * 127.5));
        sum += Math.abs(v - (rgb[3 * i + c] & 0xFF));
      }
    }
    return sum / (3.0 * n);
  }

  /** MAE (0..255) of encode → decode of dataset image k against the original: the first stage's floor. */
  static double reconstructionMae(ShapesDataset data, int k) {
    int l = data.latentSize();
    double[] rec = ShapesDataset.decode(data.rawLatent(k), l);
    float[] f = new float[rec.length];
    for (int i = 0; i < f.length; i++) {
      f[i] = (float) rec[i];
    }
    return mae(f, 0, data, k);
  }

  static double maxAbsDiff(float[] a, float[] b) {
    double m = 0;
    for (int i = 0; i < a.length; i++) {
      m = Math.max(m, Math.abs(a[i] - b[i]));
    }
    return m;
  }
}
