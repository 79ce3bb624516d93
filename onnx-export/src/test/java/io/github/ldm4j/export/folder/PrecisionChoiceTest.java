package io.github.ldm4j.export.folder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.ldm4j.spi.Placement;
import org.junit.jupiter.api.Test;

/** {@code auto}: fp16 where the UNet runs on a GPU, fp32 elsewhere; the fixed choices whatever the placement. */
class PrecisionChoiceTest {

  private static final Placement CPU = new Placement("onnx", "cpu");
  private static final Placement CUDA = new Placement("onnx", "cuda:0");

  @Test
  void gpuPlacementsAreRecognised() {
    assertThat(PrecisionChoice.onGpu(CUDA)).isTrue();
    assertThat(PrecisionChoice.onGpu(new Placement("onnx", "tensorrt:1"))).isTrue();
    assertThat(PrecisionChoice.onGpu(new Placement("onnx", "directml:0"))).isTrue();
    assertThat(PrecisionChoice.onGpu(new Placement("onnx", "coreml"))).isTrue();
    assertThat(PrecisionChoice.onGpu(new Placement("openvino", "GPU.1"))).isTrue();
    assertThat(PrecisionChoice.onGpu(CPU)).isFalse();
    assertThat(PrecisionChoice.onGpu(new Placement("openvino", "CPU"))).isFalse();
    assertThat(PrecisionChoice.onGpu(new Placement("openvino", "NPU"))).isFalse();
  }

  @Test
  void autoFollowsTheUnetsPlacementAndFixedChoicesDoNot() {
    assertThat(PrecisionChoice.AUTO.resolve(CPU)).isEqualTo(Precision.FP32);
    assertThat(PrecisionChoice.AUTO.resolve(CUDA)).isEqualTo(Precision.FP16);
    for (Placement p : new Placement[] {CPU, CUDA}) {
      assertThat(PrecisionChoice.FP32.resolve(p)).isEqualTo(Precision.FP32);
      assertThat(PrecisionChoice.FP16.resolve(p)).isEqualTo(Precision.FP16);
      assertThat(PrecisionChoice.INT8.resolve(p)).isEqualTo(Precision.INT8);
      assertThat(PrecisionChoice.INT8_LINEAR.resolve(p)).isEqualTo(Precision.INT8_LINEAR);
    }
  }

  @Test
  void namesParseCaseInsensitivelyAndAnUnknownOneNamesTheChoices() {
    assertThat(PrecisionChoice.fromName("Int8")).isEqualTo(PrecisionChoice.INT8);
    assertThat(PrecisionChoice.fromName("auto")).isEqualTo(PrecisionChoice.AUTO);
    assertThat(PrecisionChoice.INT8).hasToString("int8");
    assertThat(PrecisionChoice.fromName("int8-linear")).isEqualTo(PrecisionChoice.INT8_LINEAR);
    assertThatThrownBy(() -> PrecisionChoice.fromName("int8_linear")).isInstanceOf(IllegalArgumentException.class);
    assertThat(PrecisionChoice.INT8_LINEAR).hasToString("int8-linear");
    assertThatThrownBy(() -> PrecisionChoice.fromName("fp8")).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("unknown precision 'fp8', expected one of [auto, fp32, fp16, int8, int8-linear]");
  }
}
