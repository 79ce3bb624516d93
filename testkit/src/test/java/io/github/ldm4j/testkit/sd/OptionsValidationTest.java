package io.github.ldm4j.testkit.sd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.ldm4j.export.folder.ExportFlavor;
import io.github.ldm4j.export.folder.PipelineVariant;
import io.github.ldm4j.export.folder.Precision;
import io.github.ldm4j.export.onnx.WeightStorage;
import io.github.ldm4j.export.sd.SdArchitecture;
import io.github.ldm4j.export.sd.TextEncoderArchitecture;
import io.github.ldm4j.export.sd.UNetArchitecture;
import io.github.ldm4j.export.sd.VaeArchitecture;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bad SD generator options fail with messages naming the argument. */
class OptionsValidationTest {

  @TempDir
  Path tmp;

  @Test
  void sdSizesAreValidated() {
    assertThatThrownBy(() -> SdOptions.tiny().withImageSize(60))
        .hasMessageContaining("imageSize must be a positive multiple of 32");
    assertThatThrownBy(() -> SdOptions.fullScale(Precision.FP32).withImageSize(500))
        .hasMessageContaining("multiple of 64");
    assertThatThrownBy(() -> new UNetArchitecture(4, 4, List.of(30, 60), List.of(true, false), 1, 2, 32, 8))
        .hasMessageContaining("not divisible by normGroups");
    assertThatThrownBy(() -> new UNetArchitecture(4, 4, List.of(32, 64), List.of(true), 1, 2, 32, 8))
        .hasMessageContaining("1 flags for 2 levels");
    assertThatThrownBy(() -> new VaeArchitecture(List.of(32, 32, 32), 1, 4, 8)).hasMessageContaining("exactly 4 levels");
    assertThatThrownBy(() -> new TextEncoderArchitecture(49408, 77, 30, 1, 4, 64, 49407))
        .hasMessageContaining("not divisible by heads");
    SdArchitecture tiny = SdArchitecture.tiny();
    assertThatThrownBy(() -> new SdArchitecture(tiny.text(), UNetArchitecture.stableDiffusionV1(), tiny.vae()))
        .hasMessageContaining("contextDim 768 != text hiddenSize 32");
    assertThatThrownBy(() -> new SdOptions(tiny.inpainting(), ExportFlavor.OPTIMUM, Precision.FP32,
        PipelineVariant.INPAINTING, 0, 64, WeightStorage.INLINE))
        .hasMessageContaining("text-to-image architecture");
  }

  @Test
  void fullScaleCommandRejectsBadArguments() throws Exception {
    PrintStream out = new PrintStream(new ByteArrayOutputStream());
    assertThatThrownBy(() -> FullScaleSdCommand.run(new String[0], out)).hasMessageContaining("no output folder");
    assertThatThrownBy(() -> FullScaleSdCommand.run(new String[] {"x", "--precision", "fp8"}, out))
        .hasMessageContaining("unknown precision 'fp8'");
    assertThatThrownBy(() -> FullScaleSdCommand.run(new String[] {"x", "--flavor"}, out))
        .hasMessageContaining("--flavor needs a value");
    assertThatThrownBy(() -> FullScaleSdCommand.run(new String[] {"x", "--bogus"}, out))
        .hasMessageContaining("unknown option --bogus");
    assertThatThrownBy(() -> FullScaleSdCommand.run(new String[] {"x", "--seed", "one"}, out))
        .hasMessageContaining("--seed needs an integer");
    Files.writeString(tmp.resolve("existing.txt"), "keep me");
    assertThatThrownBy(() -> FullScaleSdCommand.run(new String[] {tmp.toString()}, out))
        .hasMessageContaining("is not empty");
  }
}
