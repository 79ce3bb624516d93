package io.github.ldm4j.checkpoint.sd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.offset;

import io.github.ldm4j.checkpoint.DType;
import io.github.ldm4j.checkpoint.StateDict;
import io.github.ldm4j.checkpoint.StateDicts;
import io.github.ldm4j.export.folder.GeneratedFolder;
import io.github.ldm4j.export.onnx.WriteProgress;
import io.github.ldm4j.export.sd.ParameterCounts;
import io.github.ldm4j.export.sd.SdArchitecture;
import io.github.ldm4j.export.sd.SdGraphs;
import io.github.ldm4j.generate.GenerationLimits;
import io.github.ldm4j.generate.GenerationRequest;
import io.github.ldm4j.generate.GenerationResult;
import io.github.ldm4j.generate.GenerationSettings;
import io.github.ldm4j.generate.Generator;
import io.github.ldm4j.image.RgbImage;
import io.github.ldm4j.spi.BackendOptions;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

/**
 * Opt-in (writes 2.1 + 4.3 GB, about a minute and a half on 2 cores): the full-size SD 1.5
 * checkpoint of {@link FullSizeCheckpointCommand} (F16, seeded random weights) is detected as SD
 * 1.x with the parameter counts of {@code facts.md} §7 (UNet 859.5 M, text encoder 123.1 M, VAE
 * decoder 49.5 M, encoder 34.2 M), with no missing keys, converts, opens on ONNX Runtime and
 * generates an image. Run with
 * {@code ./mvnw -B -pl checkpoint -am test -Dldm4j.checkpoint.fullSize=true -Dtest=FullSizeCheckpointTest
 * -Dsurefire.failIfNoSpecifiedTests=false}.
 */
@EnabledIfSystemProperty(named = "ldm4j.checkpoint.fullSize", matches = "true")
class FullSizeCheckpointTest {

  @TempDir Path tmp;

  @Test
  void loadsAndGenerates() throws Exception {
    Path file = tmp.resolve("sd15-random-fp16.safetensors");
    FullSizeCheckpointCommand.write(SdArchitecture.stableDiffusionV1(), file, DType.F16, 0, new PrintStream(System.out));
    assertThat(Files.size(file)).isBetween(2_130_000_000L, 2_140_000_000L);
    GeneratedFolder folder;
    try (StateDict dict = StateDicts.open(file)) {
      SdCheckpoint sd = SdCheckpoint.of(dict);
      assertThat(sd.family()).isEqualTo(SdCheckpoint.Family.SD1);
      ParameterCounts counts = SdGraphs.parameterCounts(sd.architecture());
      assertThat(counts.unet() / 1e6).isCloseTo(859.5, offset(0.05));
      assertThat(counts.textEncoder() / 1e6).isCloseTo(123.1, offset(0.05));
      assertThat(counts.vaeDecoder() / 1e6).isCloseTo(49.5, offset(0.05));
      assertThat(counts.vaeEncoder() / 1e6).isCloseTo(34.2, offset(0.05));
      assertThat(sd.usage(sd.architecture(), SdCheckpoint.UNetWeights.MODEL).missing()).isEmpty();
      folder = SdFolderExport.DEFAULTS.write(sd, tmp.resolve("onnx"), WriteProgress.NONE);
    }
    try (Generator g = Generator.open(folder.root(), "onnx", BackendOptions.DEFAULTS, GenerationLimits.DEFAULTS)) {
      GenerationSettings s = GenerationSettings.builder().size(256, 256).steps(2).build();
      GenerationResult r = g.generate(new GenerationRequest.TextToImage("a watercolor fox", "", s));
      RgbImage image = r.images().getFirst().image();
      assertThat(image.width()).isEqualTo(256);
      byte[] rgb = image.rgb();
      assertThat(Arrays.equals(rgb, new byte[rgb.length])).as("not all black").isFalse();
      boolean varies = false;
      for (int i = 3; i < rgb.length && !varies; i++) {
        varies = rgb[i] != rgb[i % 3];
      }
      assertThat(varies).as("not a constant image").isTrue();
    }
  }
}
