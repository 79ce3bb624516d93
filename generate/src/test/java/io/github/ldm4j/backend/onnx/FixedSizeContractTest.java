package io.github.ldm4j.backend.onnx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.ldm4j.demo.ShapesModel;
import io.github.ldm4j.demo.ShapesOptions;
import io.github.ldm4j.generate.GenerationLimits;
import io.github.ldm4j.spi.BackendOptions;
import io.github.ldm4j.generate.GenerationRequest;
import io.github.ldm4j.generate.GenerationSettings;
import io.github.ldm4j.generate.Generator;
import io.github.ldm4j.model.FixedSize;
import io.github.ldm4j.pipeline.LatentDiffusion;
import io.github.ldm4j.testkit.sd.SdModel;
import io.github.ldm4j.testkit.sd.SdOptions;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The fixed spatial sizes ONNX networks declare: the shapes model's UNet (the demo model) is
 * exported with a static latent, the tiny SD model is dynamic; a generator refuses a size the
 * fixed UNet cannot run before any work, naming the fixed input.
 */
class FixedSizeContractTest {

  @TempDir Path dir;

  @Test
  void theDemoShapesUNetIsFixedAt64LatentsAndRefuses256() throws IOException {
    ShapesModel.write(dir.resolve("shapes"), ShapesOptions.defaults());
    try (Generator g = Generator.open(dir.resolve("shapes"), "onnx", BackendOptions.DEFAULTS, GenerationLimits.DEFAULTS)) {
      LatentDiffusion c = g.model();
      FixedSize fixed = c.denoiser().fixedSampleSize().orElseThrow();
      assertThat(fixed.input()).isEqualTo("sample");
      assertThat(fixed.describe()).isEqualTo("[?, 4, 64, 64]");
      assertThat(c.firstStage().fixedDecoderInputSize()).isEmpty();
      assertThat(c.firstStage().fixedEncoderInputSize()).isEmpty();
      GenerationRequest r = new GenerationRequest.TextToImage(
          "a red circle", "", GenerationSettings.builder().size(256, 256).steps(2).build());
      assertThatThrownBy(() -> g.checkSize(r))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("this model's UNet accepts only 512x512 images (its sample input is fixed at [?, 4, 64, 64]);"
              + " got 256x256");
      assertThatThrownBy(() -> g.generate(r))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("accepts only 512x512 images");
    }
  }

  @Test
  void theTinySdModelIsDynamic() throws IOException {
    Path model = SdModel.write(dir.resolve("tiny"), SdOptions.tiny()).root();
    try (Generator g = Generator.open(model, "onnx", BackendOptions.DEFAULTS, GenerationLimits.DEFAULTS)) {
      LatentDiffusion c = g.model();
      assertThat(c.denoiser().fixedSampleSize()).isEmpty();
      assertThat(c.firstStage().fixedDecoderInputSize()).isEmpty();
      assertThat(c.firstStage().fixedEncoderInputSize()).isEmpty();
    }
  }
}
