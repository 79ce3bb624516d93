package io.github.ldm4j.generate;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.ldm4j.demo.ShapeColour;
import io.github.ldm4j.demo.ShapeKind;
import io.github.ldm4j.demo.ShapesDataset;
import io.github.ldm4j.generate.GenerationRequest;
import io.github.ldm4j.generate.GenerationResult;
import io.github.ldm4j.generate.ProgressEvent;
import io.github.ldm4j.image.RgbImage;
import io.github.ldm4j.sampler.CancellationToken;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * img2img end to end on the shapes oracle (128 px): from the blue square with the prompt "a green
 * triangle", strength 0.3 keeps the blue square and strength 1.0 follows the prompt.
 *
 * <p>Measured (20 steps, guidance 7.5, seeds 0–3): strength 0.3 (and up to 0.7) gave the blue
 * square — MAE 4.53 (= its reconstruction error) with {@code euler}/{@code dpmpp_2m}, 5.79 with
 * {@code ddim}; strength 1.0 gave the green triangle (MAE 4.06 / 5.32).
 */
class ImageToImageSemanticsTest {

  private static final int BLUE_SQUARE = ShapesDataset.index(ShapeColour.BLUE, ShapeKind.SQUARE);
  private static final int GREEN_TRIANGLE = ShapesDataset.index(ShapeColour.GREEN, ShapeKind.TRIANGLE);

  @TempDir static Path dir;

  private static ShapesOracle oracle;

  @BeforeAll
  static void open() {
    oracle = ShapesOracle.open(dir);
  }

  @AfterAll
  static void close() {
    oracle.close();
  }

  private static GenerationResult img2img(OracleSampler sampler, long seed, double strength, List<ProgressEvent> events) {
    return oracle.generator().generate(
        new GenerationRequest.ImageToImage("a green triangle", "", sampler.settings(oracle, seed),
            oracle.image(BLUE_SQUARE), strength),
        events::add, new CancellationToken());
  }

  @ParameterizedTest
  @EnumSource(OracleSampler.class)
  void lowStrengthKeepsTheInitImage(OracleSampler sampler) {
    for (long seed = 0; seed < 4; seed++) {
      RgbImage img = img2img(sampler, seed, 0.3, new ArrayList<>()).images().getFirst().image();
      ShapesOracle.Nearest n = oracle.nearest(img);
      assertThat(n.index()).as("seed %d gave %s", seed, n).isEqualTo(BLUE_SQUARE);
      assertThat(n.mae()).isLessThanOrEqualTo(oracle.reconstructionError(BLUE_SQUARE) + sampler.margin());
    }
  }

  @ParameterizedTest
  @EnumSource(OracleSampler.class)
  void fullStrengthFollowsThePrompt(OracleSampler sampler) {
    for (long seed = 0; seed < 4; seed++) {
      RgbImage img = img2img(sampler, seed, 1.0, new ArrayList<>()).images().getFirst().image();
      ShapesOracle.Nearest n = oracle.nearest(img);
      assertThat(n.index()).as("seed %d gave %s", seed, n).isEqualTo(GREEN_TRIANGLE);
      assertThat(n.mae()).isLessThanOrEqualTo(oracle.reconstructionError(GREEN_TRIANGLE) + sampler.margin());
    }
  }

  /**
   * Partial denoising as the progress shows it: timestep samplers run CompVis' t_enc = ⌊strength ·
   * steps⌋ = 6 of the 20 steps; σ samplers run all 20 steps of a ⌊20 / 0.3⌋-step schedule's tail
   * (ComfyUI {@code denoise}); either way they start far below the txt2img σ<sub>max</sub>.
   */
  @ParameterizedTest
  @EnumSource(OracleSampler.class)
  void strengthShortensTheRun(OracleSampler sampler) {
    List<ProgressEvent> partial = new ArrayList<>();
    img2img(sampler, 0, 0.3, partial);
    List<ProgressEvent> full = new ArrayList<>();
    img2img(sampler, 0, 1.0, full);
    int expected = sampler == OracleSampler.DDIM ? (int) (0.3 * OracleSampler.STEPS) : OracleSampler.STEPS;
    assertThat(partial).hasSize(expected);
    assertThat(partial).allSatisfy(e -> assertThat(e.totalSteps()).isEqualTo(expected));
    assertThat(full).hasSize(OracleSampler.STEPS);
    assertThat(partial.getFirst().sigma()).isLessThan(full.getFirst().sigma() / 5);
    assertThat(partial.getLast().sigma()).isEqualTo(full.getLast().sigma(), org.assertj.core.data.Offset.offset(1e-9));
  }
}
