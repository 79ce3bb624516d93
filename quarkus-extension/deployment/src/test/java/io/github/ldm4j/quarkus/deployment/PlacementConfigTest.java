package io.github.ldm4j.quarkus.deployment;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.ldm4j.generate.GenerationRequest;
import io.github.ldm4j.generate.GenerationSettings;
import io.github.ldm4j.quarkus.runtime.Ldm4jConfig;
import io.github.ldm4j.quarkus.runtime.Ldm4jPipelines;
import io.quarkus.test.QuarkusUnitTest;
import jakarta.inject.Inject;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code quarkus.ldm4j.model.placement.<component>} reaches the assembler: the default model opens
 * with its networks placed per component (all on ONNX Runtime's CPU here, the one backend of this
 * class path), a named model keeps its own placement, and both generate.
 */
class PlacementConfigTest {

  @RegisterExtension
  static final QuarkusUnitTest APP = new QuarkusUnitTest()
      .withApplicationRoot(jar -> jar.addClass(TestModels.class))
      .overrideConfigKey("quarkus.ldm4j.model.path", TestModels.shapes128())
      .overrideConfigKey("quarkus.ldm4j.model.placement.\"unet\"", "onnx:cpu")
      .overrideConfigKey("quarkus.ldm4j.model.placement.\"vae_decoder\"", "onnx")
      .overrideConfigKey("quarkus.ldm4j.models.\"placed\".path", TestModels.shapes128())
      .overrideConfigKey("quarkus.ldm4j.models.\"placed\".placement.\"text_encoder\"", "onnx:cpu");

  @Inject Ldm4jConfig config;
  @Inject Ldm4jPipelines pipelines;

  @Test
  void placementIsReadAndTheModelsOpenWithIt() {
    assertThat(config.model().placement()).isEqualTo(Map.of("unet", "onnx:cpu", "vae_decoder", "onnx"));
    assertThat(config.models().get("placed").placement()).isEqualTo(Map.of("text_encoder", "onnx:cpu"));
    GenerationRequest r = new GenerationRequest.TextToImage("a red circle", "",
        GenerationSettings.builder().size(128, 128).steps(2).build());
    assertThat(pipelines.defaultGenerator().generate(r).images()).hasSize(1);
    assertThat(pipelines.generator("placed").orElseThrow().generate(r).images()).hasSize(1);
  }
}
