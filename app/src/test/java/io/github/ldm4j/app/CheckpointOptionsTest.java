package io.github.ldm4j.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.ldm4j.checkpoint.sd.InferenceConfig;
import io.github.ldm4j.export.folder.Precision;
import io.github.ldm4j.spi.Placement;
import org.junit.jupiter.api.Test;

/**
 * {@code --precision auto}: fp16 where the UNet runs on a GPU, fp32 elsewhere (and for {@code convert}, which has no
 * device); which placements are GPUs is {@code PrecisionChoiceTest}'s.
 */
class CheckpointOptionsTest {

  @Test
  void autoIsFp32UntilAGpuPlacementIsSeenAndExplicitValuesWin() throws Exception {
    CheckpointOptions o = new CheckpointOptions();
    assertThat(o.export(512, InferenceConfig.NONE).precision()).isEqualTo(Precision.FP32);
    java.nio.file.Path folder = java.nio.file.Files.createTempDirectory("ldm4j-options");
    // a folder is its own model folder whatever the placement; the UNet's GPU decides a checkpoint's precision
    assertThat(o.modelFolder(folder, new Placement("onnx", "cuda:0"))).isEqualTo(folder);
    assertThat(o.export(512, InferenceConfig.NONE).precision()).isEqualTo(Precision.FP16);
    o.modelFolder(folder, new Placement("onnx", "cpu"));
    assertThat(o.export(512, InferenceConfig.NONE).precision()).isEqualTo(Precision.FP32);
    o.precision = "fp32";
    assertThat(o.export(512, InferenceConfig.NONE).precision()).isEqualTo(Precision.FP32);
    o.precision = "fp16";
    assertThat(o.export(512, InferenceConfig.NONE).precision()).isEqualTo(Precision.FP16);
    o.precision = "INT8";
    assertThat(o.export(512, InferenceConfig.NONE).precision()).isEqualTo(Precision.INT8);
    o.precision = "int8-linear";
    assertThat(o.export(512, InferenceConfig.NONE).precision()).isEqualTo(Precision.INT8_LINEAR);
    o.precision = "int8_linear"; // the CLI spells it with a hyphen only
    assertThatThrownBy(() -> o.export(512, InferenceConfig.NONE)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("int8-linear, got int8_linear");
  }
}
