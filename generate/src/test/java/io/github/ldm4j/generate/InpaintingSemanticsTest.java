package io.github.ldm4j.generate;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.ldm4j.demo.ShapeColour;
import io.github.ldm4j.demo.ShapeKind;
import io.github.ldm4j.demo.ShapesDataset;
import io.github.ldm4j.demo.ShapesOptions;
import io.github.ldm4j.export.folder.PipelineVariant;
import io.github.ldm4j.generate.GenerationRequest;
import io.github.ldm4j.image.Mask;
import io.github.ldm4j.image.RgbImage;
import io.github.ldm4j.model.Parameterization;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Inpainting end to end on the shapes oracle (128 px): the right half of the yellow cross is masked
 * (white), the prompt is "a yellow cross"; the left half must be kept and the whole must be the
 * yellow cross. Run with both inpainting paths of the {@link io.github.ldm4j.generate.Generator}:
 *
 * <ul>
 *   <li>the 9-channel inpainting oracle ({@link PipelineVariant#INPAINTING}): mask and masked-image
 *       latent reach the UNet through {@code hybrid} (concat + cross-attention) conditioning; the
 *       visible half enters as evidence, nothing is pasted back;
 *   <li>the ordinary 4-channel oracle: latent blending ({@code LatentBlend}) re-noises the known
 *       region every step and pastes the encoded image back at the end.
 * </ul>
 *
 * <p>Left-half bounds (MAE over the left half, 0..255 units), measured with 20 steps: against the
 * first stage's reconstruction of the image, latent blending is exact (0, max difference 0: the
 * known latent is pasted and decoded by a per-patch decoder); the 9-channel path is exact with the
 * k-diffusion samplers and 1.41 (max 7) with DDIM, whose final latent keeps √(1 − ᾱ[0]) of ε (see
 * {@link OracleSampler}). Against the original image both add the reconstruction error of the left
 * half (4.16).
 */
class InpaintingSemanticsTest {

  private static final int YELLOW_CROSS = ShapesDataset.index(ShapeColour.YELLOW, ShapeKind.CROSS);

  @TempDir static Path dir;

  private static ShapesOracle blending;
  private static ShapesOracle inpainting;
  private static ShapesOracle inpaintingV;

  @BeforeAll
  static void open() {
    ShapesOptions options = ShapesOptions.defaults().withImageSize(ShapesOracle.SIZE);
    blending = ShapesOracle.open(dir.resolve("text-to-image"), options);
    inpainting = ShapesOracle.open(dir.resolve("inpainting"), options.withVariant(PipelineVariant.INPAINTING));
    inpaintingV = ShapesOracle.open(dir.resolve("inpainting-v"),
        options.withVariant(PipelineVariant.INPAINTING).withPrediction(Parameterization.V));
  }

  @AfterAll
  static void close() {
    blending.close();
    inpainting.close();
    inpaintingV.close();
  }

  private static ShapesOracle oracle(PipelineVariant v) {
    return v == PipelineVariant.INPAINTING ? inpainting : blending;
  }

  /** White (generate) on the right half, x ≥ S/2: whole 8×8 patches, so the latent split is exact. */
  static Mask rightHalf(int s) {
    return rightOf(s, s / 2);
  }

  /** White (generate) where x ≥ {@code fromX}. */
  static Mask rightOf(int s, int fromX) {
    float[] m = new float[s * s];
    for (int y = 0; y < s; y++) {
      for (int x = fromX; x < s; x++) {
        m[y * s + x] = 1;
      }
    }
    return new Mask(s, s, m);
  }

  /**
   * The image with everything at x ≥ {@code fromX} painted background grey, so that what lies
   * under the mask cannot leak into the result through partial denoising (strength &lt; 1).
   */
  static RgbImage erased(RgbImage image, int fromX) {
    byte[] rgb = image.rgb();
    for (int y = 0; y < image.height(); y++) {
      for (int x = fromX; x < image.width(); x++) {
        for (int c = 0; c < 3; c++) {
          rgb[(y * image.width() + x) * 3 + c] = (byte) ShapesDataset.BACKGROUND;
        }
      }
    }
    return new RgbImage(image.width(), image.height(), rgb);
  }

  /** MAE and max absolute difference over the left half. */
  static double[] leftHalfError(RgbImage a, RgbImage b) {
    return halfError(a, b, 0);
  }

  /** MAE and max absolute difference over the right half. */
  static double[] rightHalfError(RgbImage a, RgbImage b) {
    return halfError(a, b, a.width() / 2);
  }

  private static double[] halfError(RgbImage a, RgbImage b, int x0) {
    long sum = 0;
    int max = 0;
    int n = 0;
    for (int y = 0; y < a.height(); y++) {
      for (int x = x0; x < x0 + a.width() / 2; x++) {
        for (int c = 0; c < 3; c++) {
          int d = Math.abs(a.channel(x, y, c) - b.channel(x, y, c));
          sum += d;
          max = Math.max(max, d);
          n++;
        }
      }
    }
    return new double[] {(double) sum / n, max};
  }

  static Stream<Arguments> variantsSamplersStrengths() {
    return Stream.of(PipelineVariant.values()).flatMap(v -> Stream.of(OracleSampler.values())
        .flatMap(s -> Stream.of(1.0, 0.75, 0.5).map(strength -> Arguments.of(v, s, strength))));
  }

  private static RgbImage inpaint(ShapesOracle o, OracleSampler sampler, String prompt, RgbImage image, Mask mask,
      double strength, long seed) {
    return o.generator().generate(new GenerationRequest.Inpainting(
        prompt, "", sampler.settings(o, seed), image, mask, strength)).images().getFirst().image();
  }

  private static RgbImage inpaint(ShapesOracle o, OracleSampler sampler, String prompt, RgbImage image, double strength,
      long seed) {
    return inpaint(o, sampler, prompt, image, rightHalf(o.size()), strength, seed);
  }

  /**
   * The yellow cross with its right half masked — and erased, so strengths below 1 cannot copy it
   * back — and the prompt "a yellow cross": the left half is kept, the whole is the yellow cross
   * (measured: 8 of 8 seeds for every variant, sampler and strength).
   */
  @ParameterizedTest(name = "{0} {1} strength {2}")
  @MethodSource("variantsSamplersStrengths")
  void keepsTheLeftHalfAndCompletesTheYellowCross(PipelineVariant variant, OracleSampler sampler, double strength) {
    ShapesOracle o = oracle(variant);
    RgbImage original = o.image(YELLOW_CROSS);
    RgbImage input = erased(original, o.size() / 2);
    RgbImage reconstruction = o.reconstruction(YELLOW_CROSS);
    double leftFloor = leftHalfError(reconstruction, original)[0];
    // Latent blending pastes the known latent back: exact. The 9-channel model only sees it as
    // evidence: exact for σ samplers, DDIM's ᾱ[0] residual otherwise.
    double leftBound = variant == PipelineVariant.TEXT_TO_IMAGE ? 0.01 : sampler.margin();
    for (long seed = 0; seed < 3; seed++) {
      RgbImage img = inpaint(o, sampler, "a yellow cross", input, strength, seed);
      ShapesOracle.Nearest n = o.nearest(img);
      assertThat(n.index()).as("seed %d gave %s", seed, n).isEqualTo(YELLOW_CROSS);
      assertThat(n.mae()).isLessThanOrEqualTo(o.reconstructionError(YELLOW_CROSS) + sampler.margin());
      double[] toReconstruction = leftHalfError(img, reconstruction);
      assertThat(toReconstruction[0]).as("left-half MAE to the reconstruction, seed %d", seed)
          .isLessThanOrEqualTo(leftBound);
      if (variant == PipelineVariant.TEXT_TO_IMAGE) {
        assertThat(toReconstruction[1]).as("left-half max difference, seed %d", seed).isLessThanOrEqualTo(1);
      }
      assertThat(leftHalfError(img, original)[0]).as("left-half MAE to the original, seed %d", seed)
          .isLessThanOrEqualTo(leftFloor + leftBound);
    }
  }

  /**
   * With the empty prompt only the kept region can say what to complete. The right 3/8 (x ≥ 80) of
   * the yellow cross masked and erased, strength 1: every seed completes the yellow cross, with
   * both paths. For latent blending this needs the known region re-noised into every model input:
   * with only the final paste, 2–3 of 8 seeds were right (measured by disabling it). Masking a
   * whole half, latent blending gets 5 of 8 — the masked half commits at high noise, before the
   * known half is informative (the method's limit, not tested); the 9-channel model gets 8 of 8.
   */
  @ParameterizedTest
  @EnumSource(PipelineVariant.class)
  void emptyPromptCompletesWhatTheKnownRegionShows(PipelineVariant variant) {
    ShapesOracle o = oracle(variant);
    int from = 80;
    RgbImage input = erased(o.image(YELLOW_CROSS), from);
    for (OracleSampler sampler : OracleSampler.values()) {
      for (long seed = 0; seed < 8; seed++) {
        ShapesOracle.Nearest n = o.nearest(inpaint(o, sampler, "", input, rightOf(o.size(), from), 1.0, seed));
        assertThat(n.index()).as("%s seed %d gave %s", sampler, seed, n).isEqualTo(YELLOW_CROSS);
        assertThat(n.mae()).isLessThanOrEqualTo(o.reconstructionError(YELLOW_CROSS) + sampler.margin());
      }
    }
  }

  /**
   * The 9-channel model weighs the visible half as evidence against the prompt: the red square's
   * left half with the prompt "a blue square" completes the red square (measured MAE = its
   * reconstruction error; with DDIM + 1.2).
   */
  @ParameterizedTest
  @EnumSource(OracleSampler.class)
  void visibleHalfOutweighsAContradictingPromptWithTheInpaintingModel(OracleSampler sampler) {
    int redSquare = ShapesDataset.index(ShapeColour.RED, ShapeKind.SQUARE);
    RgbImage img = inpaint(inpainting, sampler, "a blue square", inpainting.image(redSquare), 1.0, 0);
    ShapesOracle.Nearest n = inpainting.nearest(img);
    assertThat(n.index()).as("gave %s", n).isEqualTo(redSquare);
    assertThat(n.mae()).isLessThanOrEqualTo(inpainting.reconstructionError(redSquare) + sampler.margin());
  }

  /**
   * Latent blending cannot do that: the prompt decides the masked half at high noise, before the
   * known half is informative, and the known half is forced back every step, so "a blue square"
   * over the red square's left half gives a square red on the left (kept exactly) and blue on the
   * right (the prompt) — no dataset image (measured: nearest MAE ≈ 27; right half to the blue
   * square's reconstruction 0 with the σ samplers, 1.47 with DDIM; to the red square's ≈ 48).
   */
  @ParameterizedTest
  @EnumSource(OracleSampler.class)
  void latentBlendingKeepsTheKnownHalfAndFollowsThePromptInTheMaskedHalf(OracleSampler sampler) {
    int redSquare = ShapesDataset.index(ShapeColour.RED, ShapeKind.SQUARE);
    int blueSquare = ShapesDataset.index(ShapeColour.BLUE, ShapeKind.SQUARE);
    RgbImage img = inpaint(blending, sampler, "a blue square", blending.image(redSquare), 1.0, 0);
    assertThat(leftHalfError(img, blending.reconstruction(redSquare))[1]).isLessThanOrEqualTo(1);
    assertThat(rightHalfError(img, blending.reconstruction(blueSquare))[0]).as("right half is the blue square's")
        .isLessThanOrEqualTo(sampler.margin());
  }

  /**
   * The 9-channel path with a v-predicting UNet gives the ε model's images (tolerance as in {@link
   * VariantSemanticsTest}: max channel difference ≤ 1, MAE ≤ 0.01; measured identical).
   */
  @ParameterizedTest
  @EnumSource(OracleSampler.class)
  void inpaintingModelWithVPredictionGivesTheEpsImages(OracleSampler sampler) {
    RgbImage input = erased(inpainting.image(YELLOW_CROSS), inpainting.size() / 2);
    for (double strength : new double[] {1.0, 0.6}) {
      RgbImage expected = inpaint(inpainting, sampler, "", input, strength, 9);
      RgbImage actual = inpaint(inpaintingV, sampler, "", input, strength, 9);
      assertThat(VariantSemanticsTest.maxDifference(actual, expected)).isLessThanOrEqualTo(1);
      assertThat(actual.meanAbsoluteError(expected)).isLessThanOrEqualTo(0.01);
    }
  }
}
