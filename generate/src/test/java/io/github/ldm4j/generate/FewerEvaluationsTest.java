package io.github.ldm4j.generate;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.ldm4j.spi.BackendOptions;
import io.github.ldm4j.image.RgbImage;
import io.github.ldm4j.random.RngKind;
import io.github.ldm4j.testkit.sd.SdModel;
import io.github.ldm4j.testkit.sd.SdOptions;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The fast modes of issue #18 lever 4 against the exact path, end to end. CFG cut-off: at
 * σ<sub>min</sub> = 0 it is the plain run byte for byte; with a cut-off the tiny random-weight SD
 * (real architecture, 64 px, guidance 7.5, Euler on Karras σ, 20 steps) stays within a PSNR floor of
 * the full run (floors below the measured values, printed and in {@code docs/benchmarks.md}), and on
 * the shapes oracle every image is still the prompted one.
 */
class FewerEvaluationsTest {

  @TempDir static Path dir;

  private static ShapesOracle oracle;
  private static Generator tiny;

  @BeforeAll
  static void open() throws IOException {
    oracle = ShapesOracle.open(dir.resolve("shapes"));
    tiny = Generator.open(SdModel.write(dir.resolve("tiny"), SdOptions.tiny()).root(), "onnx",
        BackendOptions.DEFAULTS, GenerationLimits.DEFAULTS);
  }

  @AfterAll
  static void close() {
    oracle.close();
    tiny.close();
  }

  /** The tiny SD's image for {@code s} ("a photo of a cat", negative "blurry"). */
  static RgbImage tiny(GenerationSettings s) {
    return tiny.generate(new GenerationRequest.TextToImage("a photo of a cat", "blurry", s)).images().getFirst().image();
  }

  static GenerationSettings tinySettings(String sampler, String schedule, int steps) {
    return GenerationSettings.builder().size(64, 64).steps(steps).sampler(sampler, schedule).seed(1, RngKind.TORCH).build();
  }

  /** PSNR in dB of two 8-bit images of one size (∞ when equal). */
  static double psnr(RgbImage a, RgbImage b) {
    byte[] x = a.rgb();
    byte[] y = b.rgb();
    assertThat(x).hasSameSizeAs(y);
    double se = 0;
    for (int i = 0; i < x.length; i++) {
      double d = (x[i] & 0xff) - (y[i] & 0xff);
      se += d * d;
    }
    return se == 0 ? Double.POSITIVE_INFINITY : 10 * Math.log10(255.0 * 255.0 / (se / x.length));
  }

  private static GenerationSettings euler(int k) {
    return OracleSampler.EULER.settings(oracle, k);
  }

  @Test
  void cutoffZeroIsThePlainRunByteForByte() {
    GenerationSettings s = tinySettings("euler", "karras", 20);
    assertThat(tiny(s.toBuilder().guidanceCutoff(0).build()).rgb()).isEqualTo(tiny(s).rgb());
  }

  @ParameterizedTest(name = "sigma_min {0}")
  @ValueSource(doubles = {0.5, 1, 2})
  void cutoffStaysCloseToTheFullRun(double sigmaMin) {
    GenerationSettings s = tinySettings("euler", "karras", 20);
    RgbImage full = tiny(s);
    RgbImage cut = tiny(s.toBuilder().guidanceCutoff(sigmaMin).build());
    double p = psnr(cut, full);
    System.out.printf(Locale.ROOT, "tiny SD, cfg cut-off %.1f: PSNR vs full run %.2f dB%n", sigmaMin, p);
    assertThat(p).as("the cut-off changes the image").isLessThan(Double.POSITIVE_INFINITY);
    assertThat(p).isGreaterThan(sigmaMin <= 0.5 ? 60 : sigmaMin <= 1 ? 55 : 50);
  }

  @Test
  void cutoffKeepsThePromptedImageOnTheOracle() {
    for (int k : new int[] {0, 7, 13}) {
      RgbImage cut = oracle.txt2img(ShapesOracle.prompt(k), "", euler(k).toBuilder().guidanceCutoff(2).build());
      ShapesOracle.Nearest n = oracle.nearest(cut);
      assertThat(n.index()).isEqualTo(k);
      assertThat(n.mae()).isLessThanOrEqualTo(oracle.reconstructionError(k) + OracleSampler.EULER.margin());
    }
  }
}
