package io.github.ldm4j.generate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.ldm4j.demo.ShapeColour;
import io.github.ldm4j.demo.ShapeKind;
import io.github.ldm4j.demo.ShapesDataset;
import io.github.ldm4j.demo.ShapesModel;
import io.github.ldm4j.demo.ShapesOptions;
import io.github.ldm4j.image.RgbImage;
import io.github.ldm4j.sampler.CancellationToken;
import io.github.ldm4j.spi.BackendOptions;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Hires fix end to end on the demo model (any size), and its value rules. */
class HiresFixTest {

  @TempDir static Path dir;
  static Generator generator;

  @BeforeAll
  static void open() throws Exception {
    ShapesModel.write(dir, ShapesOptions.demo());
    generator = Generator.open(dir, "onnx", BackendOptions.DEFAULTS, GenerationLimits.DEFAULTS);
  }

  @AfterAll
  static void close() {
    generator.close();
  }

  private static GenerationSettings base(int w, int h) {
    return GenerationSettings.builder().size(w, h).steps(12).sampler("euler", "karras").seed(7).build();
  }

  private static RgbImage redCircle(int size) {
    return new RgbImage(size, size, ShapesDataset.of(size).image(ShapesDataset.index(ShapeColour.RED, ShapeKind.CIRCLE)));
  }

  private static HiresFix hires(HiresFix.Target target, HiresUpscaler upscaler, int steps, double strength) {
    return new HiresFix(target, upscaler, steps, strength);
  }

  @Test
  void latentHiresMakesTheTargetSizeImageOfThePromptAndCountsBothPasses() {
    List<ProgressEvent> events = new ArrayList<>();
    HiresFix h = hires(new HiresFix.Scale(2), HiresUpscaler.LATENT, 8, 0.6);
    GenerationRequest.TextToImage req = new GenerationRequest.TextToImage("a red circle", "", base(128, 128), Optional.of(h));
    GenerationResult r = generator.generate(req, events::add, CancellationToken.none());
    GeneratedImage img = r.images().getFirst();
    assertThat(img.image().width()).isEqualTo(256);
    assertThat(img.image().height()).isEqualTo(256);
    assertThat(img.image().meanAbsoluteError(redCircle(256))).isLessThan(10);
    assertThat(img.parameters()).contains("Steps: 12,", "Size: 128x128,", "Denoising strength: 0.6,", "Hires upscale: 2,",
        "Hires steps: 8,", "Hires upscaler: Latent,");
    // Euler on σ plans: 12 first-pass steps, then the last 8 of a ⌊8/0.6⌋-step schedule
    assertThat(events).hasSize(20);
    assertThat(events.getFirst().totalSteps()).isEqualTo(20);
    assertThat(events.stream().mapToInt(ProgressEvent::step).toArray())
        .containsExactly(java.util.stream.IntStream.rangeClosed(1, 20).toArray());
  }

  /**
   * "a circle" leaves the colour open: which one the sampler settles on depends on the noise. Seeds
   * 1, 4 and 6 settle differently at 128 and at 256 px (found by running them); the hires fix keeps
   * the first pass's circle, with the latent and with the pixel upscalers, where a direct 256 px run
   * draws another.
   */
  @Test
  void hiresKeepsTheFirstPassWhereADirectRunAtTheTargetSizeDiffers() {
    for (long seed : new long[] {1, 4, 6}) {
      GenerationSettings s = base(128, 128).toBuilder().seed(seed).build();
      int first = nearestClass(one(new GenerationRequest.TextToImage("a circle", "", s)));
      int direct = nearestClass(one(new GenerationRequest.TextToImage("a circle", "", s.toBuilder().size(256, 256).build())));
      assertThat(direct).as("seed %d", seed).isNotEqualTo(first);
      for (HiresUpscaler u : List.of(HiresUpscaler.LATENT, HiresUpscaler.LATENT_BICUBIC_ANTIALIASED, HiresUpscaler.LANCZOS,
          HiresUpscaler.NEAREST)) {
        RgbImage hires = one(new GenerationRequest.TextToImage("a circle", "", s,
            Optional.of(hires(new HiresFix.Scale(2), u, 6, 0.5))));
        assertThat(hires.width()).isEqualTo(256);
        assertThat(nearestClass(hires)).as("seed %d, %s", seed, u).isEqualTo(first);
        assertThat(maeToClass(hires, first)).as("seed %d, %s", seed, u).isLessThan(10);
      }
    }
  }

  /**
   * A timestep sampler (DDIM) runs exactly the second-pass steps asked for, as A1111's explicit-steps
   * img2img: the last 4 of a ⌊4/0.3⌋ = 13-step schedule (plain img2img would run ⌊0.3·4⌋ = 1).
   */
  @Test
  void aTimestepSamplerRunsTheSecondPassStepsAskedFor() {
    List<ProgressEvent> events = new ArrayList<>();
    GenerationSettings s = base(64, 64).toBuilder().sampler("ddim", null).steps(10).build();
    HiresFix h = hires(new HiresFix.Scale(2), HiresUpscaler.LATENT_BICUBIC, 4, 0.3);
    GenerationResult r = generator.generate(new GenerationRequest.TextToImage("a yellow cross", "", s, Optional.of(h)),
        events::add, CancellationToken.none());
    assertThat(events).hasSize(14);
    assertThat(events.getLast().step()).isEqualTo(14);
    assertThat(events.getLast().totalSteps()).isEqualTo(14);
    assertThat(r.images().getFirst().image().width()).isEqualTo(128);
  }

  @Test
  void theSecondPassSeedsEachImageAsAlone() {
    HiresFix h = hires(new HiresFix.Scale(1.5), HiresUpscaler.LATENT_NEAREST_EXACT, 4, 0.7);
    GenerationSettings s = base(64, 64);
    GenerationResult batch = generator.generate(
        new GenerationRequest.TextToImage("a blue square", "", s.toBuilder().batchSize(2).build(), Optional.of(h)));
    RgbImage alone = one(new GenerationRequest.TextToImage("a blue square", "", s.toBuilder().seed(8).build(), Optional.of(h)));
    assertThat(batch.images().get(1).image().meanAbsoluteError(alone)).isLessThan(0.05);
    assertThat(batch.images().get(1).parameters()).contains("Seed: 8,");
    assertThat(alone.width()).isEqualTo(96);
  }

  @Test
  void aSizeOfAnotherAspectIsCoveredThenCroppedAsA1111() {
    HiresFix h = hires(new HiresFix.Size(128, 128), HiresUpscaler.LATENT, 4, 0.7);
    // A1111's calculate_target_resolution: 96x64 → width 128·96/64 = 192, height 128; crop 64 px (8 latent columns)
    assertThat(h.resolve(96, 64)).isEqualTo(new HiresFix.Resolution(192, 128, 128, 128));
    GenerationResult r = generator.generate(new GenerationRequest.TextToImage("a green triangle", "", base(96, 64), Optional.of(h)));
    assertThat(r.images().getFirst().image().width()).isEqualTo(128);
    assertThat(r.images().getFirst().image().height()).isEqualTo(128);
    assertThat(r.images().getFirst().parameters()).contains("Hires resize: 128x128,").doesNotContain("Hires steps: 0");
  }

  @Test
  void limitsApplyToTheTargetSize() {
    GenerationLimits small = new GenerationLimits(200, 200, 1L << 20, 100, 4, 1L << 20);
    GenerationRequest req = new GenerationRequest.TextToImage("a red circle", "", base(128, 128),
        Optional.of(HiresFix.of(new HiresFix.Scale(2))));
    // shares the model with the class's generator, which alone closes it
    Generator g = new Generator(generator.model(), generator.recipe(), small);
    assertThatThrownBy(() -> g.generate(req)).hasMessageContaining("size 256x256 exceeds the limit of 200x200");
  }

  @Test
  void aModelOfOneFixedSizeRefusesTheSecondPassBeforeRunning(@TempDir Path fixed) throws Exception {
    ShapesModel.write(fixed, ShapesOptions.defaults().withImageSize(128));
    try (Generator g = Generator.open(fixed, "onnx", BackendOptions.DEFAULTS, GenerationLimits.DEFAULTS)) {
      GenerationRequest req = new GenerationRequest.TextToImage("a red circle", "", base(128, 128),
          Optional.of(HiresFix.of(new HiresFix.Scale(2))));
      assertThatThrownBy(() -> g.checkSize(req)).hasMessageContaining("UNet accepts only 128x128 images")
          .hasMessageContaining("got 256x256");
    }
  }

  @Test
  void valuesAreValidated() {
    assertThatThrownBy(() -> new HiresFix.Scale(0.5)).hasMessageContaining("hires scale must be in [1, 8]");
    assertThatThrownBy(() -> new HiresFix.Scale(Double.NaN)).hasMessageContaining("hires scale");
    assertThatThrownBy(() -> new HiresFix.Size(100, 96)).hasMessageContaining("multiples of 8");
    assertThatThrownBy(() -> new HiresFix.Size(0, 0)).hasMessageContaining("multiples of 8");
    assertThatThrownBy(() -> hires(new HiresFix.Scale(2), HiresUpscaler.LATENT, -1, 0.5)).hasMessageContaining("hires steps");
    assertThatThrownBy(() -> hires(new HiresFix.Scale(2), HiresUpscaler.LATENT, 0, 0)).hasMessageContaining("(0, 1]");
    assertThatThrownBy(() -> HiresUpscaler.fromName("ESRGAN_4x")).hasMessageContaining("unknown hires upscaler \"ESRGAN_4x\"")
        .hasMessageContaining("Latent (bicubic antialiased)");
    assertThat(HiresUpscaler.fromName("latent (Nearest-exact)")).isEqualTo(HiresUpscaler.LATENT_NEAREST_EXACT);
    assertThat(HiresUpscaler.fromName("lanczos")).isEqualTo(HiresUpscaler.LANCZOS);
    // 128 · 1.3 = 166.4 → 166, not a multiple of 8
    assertThatThrownBy(() -> new GenerationRequest.TextToImage("x", "", base(128, 128),
        Optional.of(HiresFix.of(new HiresFix.Scale(1.3)))))
        .hasMessageContaining("hires fix of 128x128 by scale 1.3 gives 166x166, which is not a multiple of 8");
    assertThat(HiresFix.of(new HiresFix.Size(256, 0)).resolve(128, 64)).isEqualTo(new HiresFix.Resolution(256, 128, 256, 128));
    assertThat(HiresFix.of(new HiresFix.Scale(2)).secondPass(base(128, 64)).steps()).isEqualTo(12);
  }

  /** The dataset image (class) nearest to {@code img} at its size. */
  static int nearestClass(RgbImage img) {
    ShapesDataset data = ShapesDataset.of(img.width());
    int best = -1;
    double bestMae = 1e9;
    for (int k = 0; k < ShapesDataset.IMAGES; k++) {
      double m = img.meanAbsoluteError(new RgbImage(img.width(), img.height(), data.image(k)));
      if (m < bestMae) {
        bestMae = m;
        best = k;
      }
    }
    return best;
  }

  static double maeToClass(RgbImage img, int k) {
    return img.meanAbsoluteError(new RgbImage(img.width(), img.height(), ShapesDataset.of(img.width()).image(k)));
  }

  private static RgbImage one(GenerationRequest r) {
    return generator.generate(r).images().getFirst().image();
  }
}
