package io.github.ldm4j.generate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.ldm4j.demo.ShapeColour;
import io.github.ldm4j.demo.ShapeKind;
import io.github.ldm4j.demo.ShapesDataset;
import io.github.ldm4j.generate.GeneratedImage;
import io.github.ldm4j.generate.GenerationRequest;
import io.github.ldm4j.generate.GenerationResult;
import io.github.ldm4j.generate.GenerationSettings;
import io.github.ldm4j.generate.ProgressEvent;
import io.github.ldm4j.generate.ProgressListener;
import io.github.ldm4j.image.PngCodec;
import io.github.ldm4j.image.RgbImage;
import io.github.ldm4j.random.RngKind;
import io.github.ldm4j.sampler.CancellationToken;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.function.LongFunction;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * What a front end sees of a generation, on the shapes oracle (128 px): progress events and
 * previews, cancellation, PNG output with its parameters, batches, seeds and RNG sources.
 */
class FrontEndSemanticsTest {

  private static final int RED_CIRCLE = ShapesDataset.index(ShapeColour.RED, ShapeKind.CIRCLE);

  @TempDir static Path dir;

  private static ShapesOracle oracle;

  @BeforeAll
  static void open() {
    oracle = ShapesOracle.open(dir.resolve("shapes-128"));
  }

  @AfterAll
  static void close() {
    oracle.close();
  }

  private static GenerationRequest.TextToImage redCircle(GenerationSettings s) {
    return new GenerationRequest.TextToImage("a red circle", "", s);
  }

  /** Collects events; asks for previews when told to. */
  private static final class Recorder implements ProgressListener {
    final List<ProgressEvent> events = new ArrayList<>();
    final List<Thread> threads = new ArrayList<>();
    private final boolean preview;

    Recorder(boolean preview) {
      this.preview = preview;
    }

    @Override
    public void onProgress(ProgressEvent e) {
      events.add(e);
      threads.add(Thread.currentThread());
    }

    @Override
    public boolean wantsPreview() {
      return preview;
    }
  }

  // ------------------------------------------------------------ progress and preview

  /**
   * One event per step (Heun: per step, not per model call), 1..n in order, with the run's step
   * count as total, on the calling thread. 12 steps requested; {@code ddim_uniform} runs 13, as
   * CompVis' {@code make_ddim_timesteps} (and ComfyUI's {@code ddim_uniform}) do:
   * {@code range(0, 1000, 1000 // 12)} has 13 elements.
   */
  @ParameterizedTest
  @CsvSource({"ddim,ddim_uniform,13", "euler,karras,12", "dpmpp_2m,karras,12", "heun,karras,12",
      "euler_ancestral,karras,12", "plms,ddim_uniform,13", "ddim,normal,12"})
  void progressArrivesOncePerStepInOrder(String sampler, String schedule, int expectedSteps) {
    Recorder r = new Recorder(false);
    oracle.generator().generate(redCircle(oracle.settings(sampler, schedule, 12)), r, new CancellationToken());
    assertThat(r.events).hasSize(expectedSteps);
    for (int i = 0; i < expectedSteps; i++) {
      ProgressEvent e = r.events.get(i);
      assertThat(e.step()).isEqualTo(i + 1);
      assertThat(e.totalSteps()).isEqualTo(expectedSteps);
      assertThat(e.preview()).as("no preview unless asked").isEmpty();
      if (i > 0) {
        assertThat(e.sigma()).as("σ decreases").isLessThan(r.events.get(i - 1).sigma());
      }
    }
    assertThat(r.events.getLast().fraction()).isEqualTo(1.0);
    assertThat(r.threads).containsOnly(Thread.currentThread());
  }

  /** Mean colour of the pixels that are not background grey, as the nearest dataset colour. */
  static ShapeColour dominantColour(RgbImage img) {
    double[] sum = new double[3];
    int n = 0;
    for (int y = 0; y < img.height(); y++) {
      for (int x = 0; x < img.width(); x++) {
        int dev = 0;
        for (int c = 0; c < 3; c++) {
          dev = Math.max(dev, Math.abs(img.channel(x, y, c) - ShapesDataset.BACKGROUND));
        }
        if (dev > 40) {
          for (int c = 0; c < 3; c++) {
            sum[c] += img.channel(x, y, c);
          }
          n++;
        }
      }
    }
    assertThat(n).as("pixels off the background").isPositive();
    ShapeColour best = null;
    double bestDistance = Double.POSITIVE_INFINITY;
    for (ShapeColour colour : ShapeColour.values()) {
      double d = 0;
      for (int c = 0; c < 3; c++) {
        double diff = sum[c] / n - colour.channel(c);
        d += diff * diff;
      }
      if (d < bestDistance) {
        bestDistance = d;
        best = colour;
      }
    }
    return best;
  }

  /** Each 8×8 patch's mean colour: what a one-pixel-per-latent preview should show. */
  static RgbImage patchMeans(RgbImage img) {
    int f = ShapesDataset.PATCH;
    int w = img.width() / f;
    int h = img.height() / f;
    byte[] out = new byte[w * h * 3];
    for (int py = 0; py < h; py++) {
      for (int px = 0; px < w; px++) {
        for (int c = 0; c < 3; c++) {
          int s = 0;
          for (int y = 0; y < f; y++) {
            for (int x = 0; x < f; x++) {
              s += img.channel(px * f + x, py * f + y, c);
            }
          }
          out[(py * w + px) * 3 + c] = (byte) Math.round(s / (double) (f * f));
        }
      }
    }
    return new RgbImage(w, h, out);
  }

  /**
   * Previews are one pixel per latent, show the prompted colour from the first step on (the oracle
   * commits early), and the last one is the final image's 8×8 patch means within MAE 2 (measured
   * 0.12 with the σ samplers; 1.35 with DDIM, whose final latent adds the ᾱ[0] residual to the
   * denoised prediction the preview shows).
   */
  @ParameterizedTest
  @EnumSource(OracleSampler.class)
  void previewsShowThePromptedColour(OracleSampler sampler) {
    for (ShapeColour colour : List.of(ShapeColour.RED, ShapeColour.BLUE)) {
      Recorder r = new Recorder(true);
      GenerationRequest request = new GenerationRequest.TextToImage("a " + colour.word() + " square", "", sampler.settings(oracle, 1));
      RgbImage last = oracle.generator().generate(request, r, new CancellationToken()).images().getFirst().image();
      assertThat(r.events).hasSize(OracleSampler.STEPS);
      for (ProgressEvent e : r.events) {
        RgbImage preview = e.preview().orElseThrow();
        assertThat(preview.width()).isEqualTo(oracle.size() / ShapesDataset.PATCH);
        assertThat(preview.height()).isEqualTo(oracle.size() / ShapesDataset.PATCH);
        assertThat(dominantColour(preview)).as("step %d of %s", e.step(), colour).isEqualTo(colour);
      }
      RgbImage finalPreview = r.events.getLast().preview().orElseThrow();
      assertThat(finalPreview.meanAbsoluteError(patchMeans(last))).isLessThanOrEqualTo(2.0);
    }
  }

  // ------------------------------------------------------------ cancellation

  @Test
  void cancellingFromTheListenerStopsTheRunAndTheGeneratorStaysUsable() {
    GenerationRequest request = redCircle(OracleSampler.EULER.settings(oracle, 4));
    RgbImage reference = oracle.generator().generate(request).images().getFirst().image();

    CancellationToken token = new CancellationToken();
    List<ProgressEvent> seen = new ArrayList<>();
    assertThatThrownBy(() -> oracle.generator().generate(request, e -> {
      seen.add(e);
      if (e.step() == 3) {
        token.cancel("user pressed stop");
      }
    }, token)).isInstanceOf(CancellationException.class).hasMessage("user pressed stop");
    assertThat(seen).as("no step after the cancelling one").hasSize(3);

    GenerationResult again = oracle.generator().generate(request, new Recorder(true), new CancellationToken());
    assertThat(again.images().getFirst().image()).isEqualTo(reference);
  }

  @Test
  void cancellingAtTheLastStepStillCancels() {
    CancellationToken token = new CancellationToken();
    assertThatThrownBy(() -> oracle.generator().generate(redCircle(OracleSampler.DDIM.settings(oracle, 0)), e -> {
      if (e.step() == e.totalSteps()) {
        token.cancel("late");
      }
    }, token)).isInstanceOf(CancellationException.class);
  }

  @Test
  void anAlreadyCancelledTokenRunsNothing() {
    CancellationToken token = new CancellationToken();
    token.cancel("before");
    Recorder r = new Recorder(true);
    assertThatThrownBy(() -> oracle.generator().generate(redCircle(OracleSampler.EULER.settings(oracle, 0)), r, token))
        .isInstanceOf(CancellationException.class).hasMessage("before");
    assertThat(r.events).isEmpty();
  }

  // ------------------------------------------------------------ PNG and parameters

  @Test
  void pngCarriesTheA1111ParametersAndReadsBackTheSame() {
    GenerationSettings s = OracleSampler.EULER.settings(oracle, 42);
    GeneratedImage img = oracle.generator().generate(new GenerationRequest.TextToImage("a red circle", "blue", s))
        .images().getFirst();
    String expected = "a red circle\n"
        + "Negative prompt: blue\n"
        + "Steps: 20, Sampler: euler, Schedule type: karras, CFG scale: 7.5, Seed: 42, Size: 128x128, Model: shapes-128, "
        + "RNG: torch, Version: ldm4j";
    assertThat(img.parameters()).isEqualTo(expected);
    PngCodec.Decoded back = PngCodec.decode(img.png(), Long.MAX_VALUE);
    assertThat(back.parameters()).contains(expected);
    assertThat(back.image()).isEqualTo(img.image());
    assertThat(oracle.nearest(back.image()).index()).isEqualTo(RED_CIRCLE);
  }

  @Test
  void img2imgParametersNameTheStrengthAndNonLatin1TextSurvives() {
    GenerationSettings s = OracleSampler.DDIM.settings(oracle, 7).toBuilder().seed(7, RngKind.NUMPY).build();
    String prompt = "a red circle — ☺ 円";
    GeneratedImage img = oracle.generator().generate(new GenerationRequest.ImageToImage(
        prompt, "", s, oracle.image(RED_CIRCLE), 0.75)).images().getFirst();
    assertThat(img.parameters()).isEqualTo(prompt + "\n"
        + "Steps: 20, Sampler: ddim, Schedule type: ddim_uniform, CFG scale: 7.5, Seed: 7, Size: 128x128, "
        + "Model: shapes-128, Denoising strength: 0.75, RNG: numpy, Version: ldm4j");
    assertThat(PngCodec.decode(img.png(), Long.MAX_VALUE).parameters()).contains(img.parameters());
  }

  // ------------------------------------------------------------ batches, seeds, RNG

  /**
   * Image i of a batch is the image of seed + i alone, for every front end — with stochastic
   * samplers (per-step noise per item) and the optimum VAE's posterior sampling (per item) too.
   * Measured: identical bytes.
   */
  @ParameterizedTest
  @CsvSource({"ddim,ddim_uniform", "euler,karras", "dpmpp_2m,karras", "euler_ancestral,karras", "dpmpp_2m_sde,karras"})
  void batchOfTwoEqualsSingleRunsWithSeedAndSeedPlusOne(String sampler, String schedule) {
    RgbImage blueSquare = oracle.image(ShapesDataset.index(ShapeColour.BLUE, ShapeKind.SQUARE));
    GenerationSettings base = oracle.settings(sampler, schedule, 12);
    List<LongFunction<GenerationRequest>> fronts = List.of(
        seed -> new GenerationRequest.TextToImage("", "", base.toBuilder().seed(seed, RngKind.TORCH).build()),
        seed -> new GenerationRequest.ImageToImage("a green cross", "", base.toBuilder().seed(seed, RngKind.NUMPY).build(),
            blueSquare, 0.6),
        seed -> new GenerationRequest.Inpainting("", "", base.toBuilder().seed(seed, RngKind.TORCH).build(), blueSquare,
            InpaintingSemanticsTest.rightHalf(oracle.size()), 0.8));
    long seed = 20;
    for (LongFunction<GenerationRequest> front : fronts) {
      GenerationRequest one = front.apply(seed);
      GenerationRequest batch = withBatch(one, 2);
      GenerationResult r = oracle.generator().generate(batch);
      assertThat(r.images()).hasSize(2);
      for (int i = 0; i < 2; i++) {
        GeneratedImage single = oracle.generator().generate(front.apply(seed + i)).images().getFirst();
        GeneratedImage item = r.images().get(i);
        assertThat(item.seed()).isEqualTo(seed + i);
        assertThat(item.image()).as("%s item %d", one.getClass().getSimpleName(), i).isEqualTo(single.image());
        assertThat(item.parameters()).isEqualTo(single.parameters()).contains("Seed: " + (seed + i) + ",");
      }
    }
  }

  private static GenerationRequest withBatch(GenerationRequest r, int n) {
    GenerationSettings s = r.settings().toBuilder().batchSize(n).build();
    return switch (r) {
      case GenerationRequest.TextToImage t -> new GenerationRequest.TextToImage(t.prompt(), t.negativePrompt(), s);
      case GenerationRequest.ImageToImage i ->
          new GenerationRequest.ImageToImage(i.prompt(), i.negativePrompt(), s, i.initImage(), i.strength());
      case GenerationRequest.Inpainting p ->
          new GenerationRequest.Inpainting(p.prompt(), p.negativePrompt(), s, p.image(), p.mask(), p.strength());
    };
  }

  @ParameterizedTest
  @CsvSource({"ddim,ddim_uniform", "euler_ancestral,karras"})
  void theSameRequestTwiceGivesIdenticalBytes(String sampler, String schedule) {
    GenerationRequest r = new GenerationRequest.TextToImage("", "",
        oracle.settings(sampler, schedule, 20).toBuilder().seed(99, RngKind.TORCH).build());
    byte[] first = oracle.generator().generate(r).images().getFirst().png();
    byte[] second = oracle.generator().generate(r).images().getFirst().png();
    assertThat(second).isEqualTo(first);
  }

  /**
   * Both RNG sources give the prompted image, from different noise. DDIM shows the noise in its
   * final image (the ᾱ[0] residual; measured MAE 2.0 between torch and numpy seed 7), so the test
   * uses it; the σ samplers converge onto the same dataset latent from any noise.
   */
  @Test
  void torchAndNumpyNoiseBothWorkAndDiffer() {
    GenerationSettings s = OracleSampler.DDIM.settings(oracle, 7);
    GeneratedImage torch = oracle.generator().generate(redCircle(s.toBuilder().seed(7, RngKind.TORCH).build()))
        .images().getFirst();
    GeneratedImage numpy = oracle.generator().generate(redCircle(s.toBuilder().seed(7, RngKind.NUMPY).build()))
        .images().getFirst();
    GeneratedImage otherSeed = oracle.generator().generate(redCircle(s.toBuilder().seed(8, RngKind.TORCH).build()))
        .images().getFirst();
    for (GeneratedImage g : List.of(torch, numpy, otherSeed)) {
      ShapesOracle.Nearest n = oracle.nearest(g.image());
      assertThat(n.index()).isEqualTo(RED_CIRCLE);
      assertThat(n.mae()).isLessThanOrEqualTo(oracle.reconstructionError(RED_CIRCLE) + OracleSampler.DDIM.margin());
    }
    assertThat(numpy.image().meanAbsoluteError(torch.image())).as("numpy vs torch noise").isGreaterThan(0.5);
    assertThat(otherSeed.image().meanAbsoluteError(torch.image())).as("seed 8 vs seed 7").isGreaterThan(0.5);
    assertThat(numpy.parameters()).contains("RNG: numpy");
    assertThat(torch.parameters()).contains("RNG: torch");
  }
}
