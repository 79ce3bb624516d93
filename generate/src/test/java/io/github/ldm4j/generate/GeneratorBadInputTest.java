package io.github.ldm4j.generate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.ldm4j.folder.ModelComponent;
import io.github.ldm4j.generate.GenerationLimits;
import io.github.ldm4j.generate.GenerationRequest;
import io.github.ldm4j.generate.GenerationSettings;
import io.github.ldm4j.generate.Generator;
import io.github.ldm4j.image.Mask;
import io.github.ldm4j.image.PngCodec;
import io.github.ldm4j.image.RgbImage;
import io.github.ldm4j.model.NonFiniteOutputException;
import io.github.ldm4j.spi.BackendOptions;
import io.github.ldm4j.spi.BackendProvider;
import io.github.ldm4j.spi.Backends;
import io.github.ldm4j.spi.Placement;
import io.github.ldm4j.tensor.Tensor;
import io.github.ldm4j.testkit.sd.SdModel;
import io.github.ldm4j.testkit.sd.SdOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Requests and options a generator must refuse with a message naming the argument and what was
 * expected, before any work: bad sizes, limits, steps, guidance, images, masks, samplers and
 * execution providers. Runs on the tiny SD model (64 px).
 */
class GeneratorBadInputTest {

  private static final GenerationSettings OK =
      GenerationSettings.builder().size(64, 64).steps(2).sampler("euler", "karras").build();

  @TempDir static Path dir;

  private static Path model;
  private static Generator generator;

  @BeforeAll
  static void open() throws IOException {
    model = SdModel.write(dir.resolve("tiny"), SdOptions.tiny()).root();
    generator = Generator.open(model, "onnx", BackendOptions.DEFAULTS, new GenerationLimits(128, 128, 3 * 64 * 64, 50, 3, 1L << 20));
  }

  @AfterAll
  static void close() {
    generator.close();
  }

  private static float[] filled(int n, float v) {
    float[] a = new float[n];
    Arrays.fill(a, v);
    return a;
  }

  private static RgbImage grey(int w, int h) {
    byte[] rgb = new byte[w * h * 3];
    Arrays.fill(rgb, (byte) 128);
    return new RgbImage(w, h, rgb);
  }

  @Test
  void sizesMustBePositiveMultiplesOfEight() {
    assertThatThrownBy(() -> OK.toBuilder().size(100, 64).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("width and height must be positive multiples of 8, got 100x64");
    assertThatThrownBy(() -> OK.toBuilder().size(64, 0).build()).hasMessageContaining("positive multiples of 8");
  }

  @Test
  void sizesTheUNetCannotDownsampleAreExplained() {
    // 72 px = a 9×9 latent, which SD-style UNets cannot halve and restore
    GenerationSettings notMultipleOf16 = OK.toBuilder().size(72, 72).build();
    assertThatThrownBy(() -> generator.generate(new GenerationRequest.TextToImage("a red circle", "", notMultipleOf16)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("unet")
        .hasMessageContaining("9x9")
        .hasMessageContaining("multiples of 64");
  }

  @Test
  void requestsAboveTheLimitsAreRefusedNamingTheLimit() {
    assertThatThrownBy(() -> generator.generate(new GenerationRequest.TextToImage("x", "", OK.toBuilder().size(256, 64).build())))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("size 256x64 exceeds the limit of 128x128");
    assertThatThrownBy(() -> generator.generate(new GenerationRequest.TextToImage("x", "", OK.toBuilder().size(128, 128).build())))
        .hasMessageContaining("16384 pixels exceed the limit of 12288");
    assertThatThrownBy(() -> generator.generate(new GenerationRequest.TextToImage("x", "", OK.toBuilder().steps(51).build())))
        .hasMessageContaining("steps 51 exceed the limit of 50");
    GenerationSettings fourImages = OK.toBuilder().size(8, 8).batchSize(4).build();
    assertThatThrownBy(() -> generator.generate(new GenerationRequest.TextToImage("x", "", fourImages)))
        .hasMessageContaining("batch size 4 exceeds the limit of 3");
  }

  @Test
  void stepsGuidanceAndStrengthMustBeInRange() {
    assertThatThrownBy(() -> OK.toBuilder().steps(0).build()).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("steps must be >= 1, got 0");
    assertThatThrownBy(() -> OK.toBuilder().steps(-3).build()).hasMessageContaining("steps must be >= 1, got -3");
    assertThatThrownBy(() -> OK.toBuilder().guidance(Double.NaN, 0).build()).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("guidance scale must be in [0, 100], got NaN");
    assertThatThrownBy(() -> OK.toBuilder().guidance(Double.POSITIVE_INFINITY, 0).build()).hasMessageContaining("got Infinity");
    assertThatThrownBy(() -> OK.toBuilder().guidance(-1, 0).build())
        .hasMessageContaining("guidance scale must be in [0, 100], got -1.0");
    // float32 overflow territory (1e308 made uncond + s·(cond − uncond) infinite), refused like -1
    assertThatThrownBy(() -> OK.toBuilder().guidance(1e308, 0).build())
        .hasMessageContaining("guidance scale must be in [0, 100], got 1.0E308");
    assertThatThrownBy(() -> OK.toBuilder().guidance(100.5, 0).build()).hasMessageContaining("got 100.5");
    assertThat(OK.toBuilder().guidance(GenerationSettings.MAX_GUIDANCE_SCALE, 0).build().guidanceScale()).isEqualTo(100);
    assertThatThrownBy(() -> OK.toBuilder().guidance(7.5, Double.NaN).build())
        .hasMessageContaining("guidance rescale must be in [0, 1]");
    assertThatThrownBy(() -> OK.toBuilder().guidanceCutoff(Double.NaN).build())
        .hasMessageContaining("CFG cut-off sigma must be finite and >= 0 (0 = off), got NaN");
    assertThatThrownBy(() -> OK.toBuilder().guidanceCutoff(-0.5).build()).hasMessageContaining("got -0.5");
    assertThatThrownBy(() -> OK.toBuilder().guidanceCutoff(Double.POSITIVE_INFINITY).build()).hasMessageContaining("got Infinity");
    assertThatThrownBy(() -> new GenerationRequest.ImageToImage("x", "", OK, grey(64, 64), 0))
        .hasMessageContaining("strength must be in (0, 1], got 0.0");
    assertThatThrownBy(() -> new GenerationRequest.ImageToImage("x", "", OK, grey(64, 64), Double.NaN))
        .hasMessageContaining("strength must be in (0, 1]");
    assertThatThrownBy(() -> new GenerationRequest.TextToImage(null, "", OK)).hasMessageContaining("prompt must not be null");
    // the front ends' rule (CLI and REST): a user's prompt must not be blank; the library allows "" (unconditional)
    assertThat(new GenerationRequest.TextToImage("", "", OK).prompt()).isEmpty();
    for (String blank : new String[] {null, "", " ", "\t\n"}) {
      assertThatThrownBy(() -> GenerationRequest.requireUserPrompt(blank)).isInstanceOf(IllegalArgumentException.class)
          .hasMessage("prompt is required and must not be blank");
    }
    assertThat(GenerationRequest.requireUserPrompt(" a red circle ")).isEqualTo(" a red circle ");
  }

  @Test
  void imagesAndMasksMustMatchTheRequestedSize() {
    assertThatThrownBy(() -> new GenerationRequest.ImageToImage("x", "", OK, grey(32, 64), 0.5))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("init image is 32x64 but the settings ask for 64x64");
    assertThatThrownBy(() -> new GenerationRequest.Inpainting("x", "", OK, grey(64, 48), new Mask(64, 48, new float[64 * 48]), 1))
        .hasMessageContaining("image is 64x48 but the settings ask for 64x64");
    assertThatThrownBy(() -> new GenerationRequest.Inpainting("x", "", OK, grey(64, 64), new Mask(32, 32, new float[32 * 32]), 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("mask is 32x32 but the image is 64x64");
    assertThatThrownBy(() -> new Mask(4, 4, new float[15])).hasMessageContaining("15 values for a 4x4 mask, expected 16");
    float[] bad = new float[16];
    bad[3] = 1.5f;
    assertThatThrownBy(() -> new Mask(4, 4, bad)).hasMessageContaining("mask value 1.5 at 3 is outside [0, 1]");
  }

  @Test
  void undecodableImagesAreRefused() {
    assertThatThrownBy(() -> PngCodec.decode(new byte[0], 1 << 20))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("image is empty");
    assertThatThrownBy(() -> PngCodec.decode("not an image at all".getBytes(), 1 << 20))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not a decodable image");
    byte[] png = PngCodec.encode(grey(64, 64), Optional.empty());
    assertThatThrownBy(() -> PngCodec.decode(Arrays.copyOf(png, png.length / 2), 1 << 20))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not a decodable image");
    assertThatThrownBy(() -> PngCodec.decode(png, 1000))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("image of 64x64 pixels exceeds the limit of 1000");
    assertThat(PngCodec.decode(png, 1 << 20).image()).isEqualTo(grey(64, 64));
  }

  @Test
  void anUnknownSamplerIsNamed() {
    assertThatThrownBy(() -> generator.generate(
        new GenerationRequest.TextToImage("x", "", OK.toBuilder().sampler("no_such_sampler", "karras").build())))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("no_such_sampler");
  }

  @Test
  void imageInputsNeedAVaeEncoder() throws IOException {
    Path noEncoder = dir.resolve("no-encoder");
    SdModel.write(noEncoder, SdOptions.tiny());
    Files.delete(noEncoder.resolve("vae_encoder/model.onnx"));
    try (Generator g = Generator.open(noEncoder, "onnx", BackendOptions.DEFAULTS, GenerationLimits.DEFAULTS)) {
      assertThat(g.model().firstStage().canEncode()).isFalse();
      assertThatThrownBy(() -> g.generate(new GenerationRequest.ImageToImage("x", "", OK, grey(64, 64), 0.5)))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("img2img needs the model's VAE encoder")
          .hasMessageContaining("vae_encoder/");
      Mask all = new Mask(64, 64, filled(64 * 64, 1f));
      assertThatThrownBy(() -> g.generate(new GenerationRequest.Inpainting("x", "", OK, grey(64, 64), all, 1)))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("inpainting needs the model's VAE encoder");
    }
  }

  @Test
  void aProviderMissingFromThisOnnxRuntimeFailsTheOpenWithWhatToAdd() {
    // The CPU artifact of ONNX Runtime on Maven Central has no CUDA provider.
    assertThatThrownBy(() -> Generator.open(model, "onnx", new BackendOptions("cuda:0", 0, 0, false), GenerationLimits.DEFAULTS))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("'cuda:0'")
        .hasMessageContaining("it has: CPUExecutionProvider")
        .hasMessageContaining("onnxruntime_gpu");
    // Per-component placement: the failure comes after the text encoder's session opened (and is closed again).
    BackendOptions unetOnGpu = BackendOptions.DEFAULTS.withPlacement(ModelComponent.UNET, new Placement("onnx", "tensorrt:0"));
    assertThatThrownBy(() -> Generator.open(model, "onnx", unetOnGpu, GenerationLimits.DEFAULTS))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("'tensorrt:0'")
        .hasMessageContaining("TensorRT");
  }

  @Test
  void aNonFiniteUNetOutputFailsTheGenerationAtThatStepNamingTheComponent() throws IOException {
    int[] unetCalls = {0};
    BackendProvider poisoning = new io.github.ldm4j.spi.WrappingBackendProvider(Backends.find("onnx"), (component, call) -> {
      List<Tensor> out = call.get();
      if (component == ModelComponent.UNET && ++unetCalls[0] == 3) {
        out.getFirst().set(7, Float.NaN);
      }
      return out;
    });
    List<Integer> steps = new ArrayList<>();
    try (Generator g = ModelAssembler.open(model, "onnx", BackendOptions.DEFAULTS, GenerationLimits.DEFAULTS,
        name -> poisoning)) {
      GenerationRequest r = new GenerationRequest.TextToImage("a cat", "", OK.toBuilder().steps(6).build());
      assertThatThrownBy(() -> g.generate(r, e -> steps.add(e.step()), io.github.ldm4j.sampler.CancellationToken.none()))
          .isInstanceOf(NonFiniteOutputException.class)
          .hasMessageStartingWith("unet returned non-finite values (NaN or infinity) at step 3 of 6 (t = ");
    }
    assertThat(unetCalls[0]).as("no UNet call after the poisoned one").isEqualTo(3);
    assertThat(steps).as("steps 1 and 2 completed").containsExactly(1, 2);
  }
}
