package io.github.ldm4j.spi;

import io.github.ldm4j.folder.ModelComponent;
import io.github.ldm4j.spi.contract.TensorPort;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.ldm4j.sampler.SamplerOptions;
import io.github.ldm4j.sampler.Samplers;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class NamedServicesTest {

  @Test
  void findsProvidersCaseInsensitively() {
    assertThat(NamedServices.names(TestServices.Gizmo.class, TestServices.Gizmo::name)).containsExactly("one", "two");
    assertThat(NamedServices.find(TestServices.Gizmo.class, TestServices.Gizmo::name, "gizmo", " ONE "))
        .isInstanceOf(TestServices.GizmoOne.class);
  }

  @Test
  void unknownNameListsWhatWasFound() {
    assertThatThrownBy(() -> NamedServices.find(TestServices.Gizmo.class, TestServices.Gizmo::name, "gizmo", "three"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("unknown gizmo 'three'; available: one, two");
    assertThatThrownBy(() -> NamedServices.find(TestServices.Gizmo.class, TestServices.Gizmo::name, "gizmo", null))
        .hasMessage("unknown gizmo 'null'; available: one, two");
  }

  @Test
  void noProvidersSaysSo() {
    assertThatThrownBy(() -> NamedServices.find(TestServices.Gadget.class, TestServices.Gadget::name, "gadget", "x"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("unknown gadget 'x'; available: none (no io.github.ldm4j.spi.TestServices$Gadget is registered");
  }

  @Test
  void twoProvidersWithOneNameAreAnError() {
    assertThatThrownBy(() -> NamedServices.names(TestServices.Widget.class, TestServices.Widget::name))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("registered as 'alpha'")
        .hasMessageContaining("WidgetAlpha")
        .hasMessageContaining("WidgetAlphaAgain");
  }

  @Test
  void backendsAreFoundByNameAndUnavailableOnesExplainWhy() throws Exception {
    assertThat(Backends.names()).containsExactly("test-memory", "test-missing");
    BackendProvider p = Backends.find("Test-Memory");
    NetworkDescription d = p.describe(null, ModelComponent.UNET, BackendOptions.DEFAULTS);
    assertThat(d.inputs()).extracting(TensorPort::name).containsExactly("x");
    assertThatThrownBy(() -> Backends.find("test-missing"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("backend 'test-missing' is not available: install the test runtime");
    assertThatThrownBy(() -> Backends.find("onnx"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("unknown backend 'onnx'; available: test-memory, test-missing");
  }

  @Test
  void samplersAreFoundByNameAndUnknownOnesListTheRegistered() {
    assertThat(Samplers.names()).containsExactly("test-ddim");
    assertThat(Samplers.create("TEST-DDIM").name()).isEqualTo("test-ddim");
    assertThatThrownBy(() -> Samplers.create("euler_a", SamplerOptions.DEFAULTS))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("unknown sampler 'euler_a'; available: test-ddim");
  }

  @Test
  void optionRecordsValidate() {
    assertThatThrownBy(() -> new BackendOptions(" ", 0, 0, false)).hasMessage("device must not be blank");
    assertThatThrownBy(() -> new BackendOptions("cpu", -1, 0, false)).hasMessageContaining("thread counts must be >= 0");
    assertThatThrownBy(() -> new Placement("onnx", " ")).hasMessageContaining("placement needs a backend and a device");
    assertThat(Placement.parse("onnx:cuda:0", "cpu")).isEqualTo(new Placement("onnx", "cuda:0"));
    assertThat(Placement.parse(" openvino ", "cpu")).isEqualTo(new Placement("openvino", "cpu"));
    BackendOptions mixed = BackendOptions.DEFAULTS.withPlacement(ModelComponent.UNET, new Placement("onnx", "cuda:1"));
    assertThat(mixed.placementFor(ModelComponent.UNET, "openvino")).isEqualTo(new Placement("onnx", "cuda:1"));
    assertThat(mixed.placementFor(ModelComponent.TEXT_ENCODER, "openvino")).isEqualTo(new Placement("openvino", "cpu"));
    assertThat(Placement.parseEach(java.util.Map.of("UNet", "onnx:cuda:0", "vae-decoder", "openvino"), "GPU"))
        .containsEntry(ModelComponent.UNET, new Placement("onnx", "cuda:0"))
        .containsEntry(ModelComponent.VAE_DECODER, new Placement("openvino", "GPU"))
        .hasSize(2);
    assertThatThrownBy(() -> Placement.parseEach(java.util.Map.of("vae", "onnx"), "cpu"))
        .hasMessage("unknown model component 'vae'; valid: [text_encoder, unet, vae_encoder, vae_decoder]");
  }

  @Test
  void suggestsTheClosestKnownNameForATypo() {
    java.util.List<String> known = java.util.List.of("euler", "euler_ancestral", "dpmpp_2m", "heun", "karras");
    assertThat(NamedServices.didYouMean("eular", known)).isEqualTo("; did you mean 'euler'?");
    assertThat(NamedServices.didYouMean("Euler-Ancestral", known)).isEqualTo("; did you mean 'euler_ancestral'?");
    assertThat(NamedServices.didYouMean("dpmpp2m", known)).isEqualTo("; did you mean 'dpmpp_2m'?");
    assertThat(NamedServices.didYouMean("huen", known)).isEqualTo("; did you mean 'heun'?"); // a transposition
    assertThat(NamedServices.didYouMean("zzzzzz", known)).isEmpty();
    assertThat(NamedServices.didYouMean("", known)).isEmpty();
    assertThat(NamedServices.didYouMean(null, known)).isEmpty();
    assertThat(NamedServices.distance("kitten", "sitting")).isEqualTo(3);
  }
}
