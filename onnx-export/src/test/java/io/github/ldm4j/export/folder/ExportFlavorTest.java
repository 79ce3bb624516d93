package io.github.ldm4j.export.folder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.ldm4j.export.onnx.ElementType;
import org.junit.jupiter.api.Test;

/** Flavor and precision names, and the contract each flavor declares (reference facts §4). */
class ExportFlavorTest {

  @Test
  void unknownNamesAreRejected() {
    assertThatThrownBy(() -> ExportFlavor.fromName("onnx2"))
        .hasMessageContaining("unknown export flavor 'onnx2'").hasMessageContaining("[legacy, optimum, openvino]");
    assertThat(ExportFlavor.fromName("Optimum")).isEqualTo(ExportFlavor.OPTIMUM);
    assertThatThrownBy(() -> Precision.fromName("bf16")).hasMessageContaining("unknown precision 'bf16'");
    assertThat(Precision.fromName("FP16")).isEqualTo(Precision.FP16);
  }

  @Test
  void flavorsDeclareTheirExportsContracts() {
    assertThat(ExportFlavor.LEGACY.inputIdsType()).isEqualTo(ElementType.INT32);
    assertThat(ExportFlavor.LEGACY.timestepType(Precision.FP16).dims()).hasSize(1);
    assertThat(ExportFlavor.LEGACY.vaeEncoderOutput()).isEqualTo("latent_sample");
    assertThat(ExportFlavor.OPTIMUM.inputIdsType()).isEqualTo(ElementType.INT64);
    assertThat(ExportFlavor.OPTIMUM.timestepType(Precision.FP32).dims()).isEmpty();
    assertThat(ExportFlavor.OPTIMUM.vaeEncoderOutput()).isEqualTo("latent_parameters");
    assertThat(ExportFlavor.OPENVINO.timestepType(Precision.FP16).elementType()).isEqualTo(ElementType.INT64);
  }
}
