package io.github.ldm4j.backend.openvino;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.ldm4j.backend.openvino.emulator.OvEmulator;
import io.github.ldm4j.demo.ShapeColour;
import io.github.ldm4j.demo.ShapeKind;
import io.github.ldm4j.demo.ShapesDataset;
import io.github.ldm4j.generate.GenerationLimits;
import io.github.ldm4j.generate.GenerationRequest;
import io.github.ldm4j.generate.GenerationSettings;
import io.github.ldm4j.generate.Generator;
import io.github.ldm4j.image.RgbImage;
import io.github.ldm4j.spi.BackendOptions;
import io.github.ldm4j.spi.Backends;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The {@code openvino} backend through the SPI: registration, availability, and a generation by name. */
class ProviderTest {

  @Test
  void generatesByBackendNameWithAnInstalledRuntime() throws Exception {
    int size = 64;
    Path dir = TestModels.shapes(size);
    try (OvEmulator emulator = new OvEmulator()) {
      OpenVinoRuntime.install(emulator.runtime());
      try (Generator g = Generator.open(dir, "openvino", new BackendOptions("cpu", 1, 0, false), GenerationLimits.DEFAULTS)) {
        GenerationSettings s = GenerationSettings.builder().size(size, size).steps(8).sampler("euler", "karras").build();
        RgbImage img = g.generate(new GenerationRequest.TextToImage("a blue square", "", s)).images().getFirst().image();
        RgbImage expected = new RgbImage(size, size,
            ShapesDataset.of(size).image(ShapesDataset.index(ShapeColour.BLUE, ShapeKind.SQUARE)));
        assertThat(img.meanAbsoluteError(expected)).isLessThan(20);
      } finally {
        OpenVinoRuntime.install(null);
      }
      assertThat(emulator.compiles()).allSatisfy(c -> assertThat(c.properties()).containsEntry("INFERENCE_NUM_THREADS", "1"));
      assertThat(emulator.compiles()).allSatisfy(c -> assertThat(c.device()).isEqualTo("CPU"));
    }
  }

  @Test
  void theProviderIsRegisteredAndFailsClearlyWithoutOpenVino() {
    assertThat(Backends.names()).contains("openvino", "onnx");
    OpenVinoBackendProvider p = new OpenVinoBackendProvider();
    OpenVinoRuntime.install(null);
    if (!p.isAvailable()) {
      assertThat(p.unavailableReason()).contains("libopenvino_c.so", "-D" + OpenVinoLocator.PROPERTY,
          OpenVinoLocator.ENV, "apt", "pip install openvino");
      assertThatThrownBy(() -> Backends.find("openvino"))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("backend 'openvino' is not available")
          .hasMessageContaining("was not found; tried:");
    }
    try (OvEmulator emulator = new OvEmulator()) {
      OpenVinoRuntime.install(emulator.runtime());
      assertThat(p.isAvailable()).isTrue();
      assertThat(p.unavailableReason()).isEmpty();
    } finally {
      OpenVinoRuntime.install(null);
    }
  }

  @Test
  void backendOptionsMapOntoOpenVinoOptions() {
    OpenVinoOptions o = OpenVinoOptions.from(new BackendOptions("gpu.1", 3, 0, true));
    assertThat(o.device().name()).isEqualTo("AUTO:GPU.1,CPU");
    assertThat(o.compileProperties()).containsEntry("INFERENCE_NUM_THREADS", "3");
    assertThat(OpenVinoOptions.from(BackendOptions.DEFAULTS).device()).isEqualTo(OpenVinoDevice.CPU);
    assertThatThrownBy(() -> OpenVinoOptions.from(new BackendOptions("cuda:0", 0, 0, false)))
        .hasMessageContaining("unsupported OpenVINO device 'CUDA:0'");
  }
}
