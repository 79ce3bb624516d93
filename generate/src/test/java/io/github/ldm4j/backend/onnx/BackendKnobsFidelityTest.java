package io.github.ldm4j.backend.onnx;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.ldm4j.generate.GenerationLimits;
import io.github.ldm4j.generate.GenerationRequest;
import io.github.ldm4j.generate.GenerationSettings;
import io.github.ldm4j.generate.Generator;
import io.github.ldm4j.image.RgbImage;
import io.github.ldm4j.random.RngKind;
import io.github.ldm4j.spi.BackendOptions;
import io.github.ldm4j.spi.GraphOptimization;
import io.github.ldm4j.testkit.sd.SdModel;
import io.github.ldm4j.testkit.sd.SdOptions;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Issue 18, lever 5: the ONNX Runtime knobs of {@link BackendOptions} against the default (exact)
 * path, end to end on the tiny random-weight SD (real architecture, 64 px, guidance 7.5, 6 Euler
 * steps). Arena, memory pattern, thread counts and the parallel executor only change how memory is
 * handed out and how work is scheduled, never the arithmetic: the image must be the same bytes.
 * A lower graph-optimisation level runs the unfused graph, whose float sums are ordered otherwise:
 * the image must stay within one 8-bit level of the default's (PSNR ≥ 50 dB is the bar; measured
 * here: the same bytes at every level, printed).
 */
class BackendKnobsFidelityTest {

  @TempDir static Path dir;

  private static Path model;
  private static RgbImage exact;

  private static final GenerationRequest REQUEST = new GenerationRequest.TextToImage("a photo of a cat", "blurry",
      GenerationSettings.builder().size(64, 64).steps(6).sampler("euler", "karras").seed(3, RngKind.TORCH).build());

  @BeforeAll
  static void writeModel() throws IOException {
    model = SdModel.write(dir.resolve("tiny"), SdOptions.tiny()).root();
    exact = generate(BackendOptions.DEFAULTS);
  }

  private static RgbImage generate(BackendOptions options) {
    try (Generator g = Generator.open(model, "onnx", options, GenerationLimits.DEFAULTS)) {
      return g.generate(REQUEST).images().getFirst().image();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  @Test
  void memoryArenaOffIsTheSameImage() {
    assertThat(generate(BackendOptions.DEFAULTS.withMemory(false, true)).rgb()).isEqualTo(exact.rgb());
  }

  @Test
  void memoryPatternOffIsTheSameImage() {
    assertThat(generate(BackendOptions.DEFAULTS.withMemory(true, false)).rgb()).isEqualTo(exact.rgb());
  }

  @Test
  void threadCountsAndTheParallelExecutorAreTheSameImage() {
    assertThat(generate(BackendOptions.DEFAULTS.withThreads(1, 0)).rgb()).as("one thread").isEqualTo(exact.rgb());
    assertThat(generate(BackendOptions.DEFAULTS.withThreads(2, 2)).rgb()).as("parallel executor").isEqualTo(exact.rgb());
  }

  @ParameterizedTest
  @EnumSource(GraphOptimization.class)
  void everyOptimisationLevelStaysWithinRoundingOfTheDefault(GraphOptimization level) {
    RgbImage image = generate(BackendOptions.DEFAULTS.withOptimization(level));
    byte[] a = image.rgb();
    byte[] b = exact.rgb();
    assertThat(a).hasSameSizeAs(b);
    int maxDiff = 0;
    double se = 0;
    for (int i = 0; i < a.length; i++) {
      int d = Math.abs((a[i] & 0xff) - (b[i] & 0xff));
      maxDiff = Math.max(maxDiff, d);
      se += (double) d * d;
    }
    double psnr = se == 0 ? Double.POSITIVE_INFINITY : 10 * Math.log10(255.0 * 255.0 / (se / a.length));
    System.out.printf(Locale.ROOT, "optimisation %s: max |Δ| %d levels, PSNR %.1f dB vs the default%n", level, maxDiff, psnr);
    assertThat(maxDiff).as("max difference in 8-bit levels").isLessThanOrEqualTo(1);
    assertThat(psnr).isGreaterThanOrEqualTo(50);
  }
}
