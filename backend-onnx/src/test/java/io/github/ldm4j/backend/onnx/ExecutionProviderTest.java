package io.github.ldm4j.backend.onnx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.ldm4j.backend.onnx.internal.OrtRuntime;
import io.github.ldm4j.folder.ModelComponent;
import io.github.ldm4j.spi.BackendOptions;
import io.github.ldm4j.spi.Backends;
import org.junit.jupiter.api.Test;

class ExecutionProviderTest {

  @Test
  void parsesEveryProviderForm() {
    assertThat(ExecutionProvider.parse("cpu")).isEqualTo(ExecutionProvider.cpu());
    assertThat(ExecutionProvider.parse(" CPU ")).isEqualTo(ExecutionProvider.cpu());
    assertThat(ExecutionProvider.parse("cuda")).isEqualTo(new ExecutionProvider.Cuda(0));
    assertThat(ExecutionProvider.parse("cuda:3")).isEqualTo(new ExecutionProvider.Cuda(3));
    assertThat(ExecutionProvider.parse("tensorrt:1")).isEqualTo(new ExecutionProvider.TensorRt(1));
    assertThat(ExecutionProvider.parse("trt")).isEqualTo(new ExecutionProvider.TensorRt(0));
    assertThat(ExecutionProvider.parse("coreml")).isEqualTo(ExecutionProvider.CoreMl.INSTANCE);
    assertThat(ExecutionProvider.parse("directml:2")).isEqualTo(new ExecutionProvider.DirectMl(2));
    assertThat(ExecutionProvider.parse("openvino")).isEqualTo(new ExecutionProvider.OpenVino("CPU"));
    assertThat(ExecutionProvider.parse("openvino:gpu")).isEqualTo(new ExecutionProvider.OpenVino("GPU"));
    assertThat(ExecutionProvider.parse("cuda:1").spec()).isEqualTo("cuda:1");
  }

  @Test
  void rejectsMalformedProvidersWithTheValidForms() {
    assertThatThrownBy(() -> ExecutionProvider.parse("vulkan"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("unknown execution provider 'vulkan'")
        .hasMessageContaining("cuda[:id]");
    assertThatThrownBy(() -> ExecutionProvider.parse("cuda:x"))
        .hasMessageContaining("device id 'x' is not a number");
    assertThatThrownBy(() -> ExecutionProvider.parse("cpu:0")).hasMessageContaining("takes no device id");
    assertThatThrownBy(() -> ExecutionProvider.parse("cuda:-1")).hasMessageContaining("device id must be >= 0");
    assertThatThrownBy(() -> ExecutionProvider.parse(" ")).hasMessageContaining("must not be blank");
  }

  @Test
  void placementOverridesTheDefaultProviderPerComponent() {
    OnnxOptions o = OnnxOptions.from(new BackendOptions("cuda:0", 2, 0, true))
        .withPlacement(ModelComponent.VAE_DECODER, ExecutionProvider.cpu());
    assertThat(o.providerFor(ModelComponent.UNET)).isEqualTo(new ExecutionProvider.Cuda(0));
    assertThat(o.providerFor(ModelComponent.VAE_DECODER)).isEqualTo(ExecutionProvider.cpu());
    assertThat(o.intraOpThreads()).isEqualTo(2);
    assertThat(o.allowCpuFallback()).isTrue();
  }

  @Test
  void aProviderMissingFromThisOnnxRuntimeSaysWhatIsPresentAndWhatToAdd() {
    // The CPU artifact of ONNX Runtime on Maven Central has no CUDA provider.
    assertThatThrownBy(() -> OrtRuntime.requireProvider(new ExecutionProvider.Cuda(0)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("'cuda:0'")
        .hasMessageContaining("it has: ")
        .hasMessageContaining("onnxruntime_gpu")
        .hasMessageContaining("CUDA 12");
  }

  @Test
  void theBackendIsRegisteredAndAvailableWithoutSideEffects() {
    assertThat(Backends.names()).contains("onnx");
    assertThat(new OnnxBackendProvider().isAvailable()).isTrue();
    assertThat(Backends.find("ONNX")).isInstanceOf(OnnxBackendProvider.class);
  }
}
