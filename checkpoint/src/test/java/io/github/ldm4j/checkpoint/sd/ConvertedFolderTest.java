package io.github.ldm4j.checkpoint.sd;

import static io.github.ldm4j.checkpoint.sd.CheckpointGeneratorsTest.a;
import static io.github.ldm4j.checkpoint.sd.CheckpointGeneratorsTest.b;
import static io.github.ldm4j.checkpoint.sd.CheckpointGeneratorsTest.outputs;
import static io.github.ldm4j.checkpoint.sd.CheckpointGeneratorsTest.request;
import static io.github.ldm4j.checkpoint.sd.CheckpointGeneratorsTest.set;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.ldm4j.checkpoint.CheckpointFormatException;
import io.github.ldm4j.checkpoint.lora.LoraSet;
import io.github.ldm4j.export.folder.Precision;
import io.github.ldm4j.folder.ModelComponent;
import io.github.ldm4j.generate.GenerationLimits;
import io.github.ldm4j.generate.Generator;
import io.github.ldm4j.spi.BackendOptions;
import io.github.ldm4j.spi.contract.PortType;
import io.github.ldm4j.spi.WeightOverrides;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * LoRAs on a model folder ldm4j converted ({@link ConvertedFolder}, {@link LoraOverrides#ofFolder},
 * {@link CheckpointGenerators#openFolder}) against the same LoRAs on the checkpoint it came from
 * ({@link CheckpointGenerators#open}, itself checked against the conversion with the LoRAs merged):
 * the {@code cli-sd1} fixture and the sd1 LoRA fixtures ({@code fixtures/lora}, {@code gen_lora.py});
 * a folder whose weights cannot be mapped is refused naming it.
 */
class ConvertedFolderTest {

  @TempDir Path dir;
  private TemporaryHome home;

  @BeforeEach
  void home() {
    home = new TemporaryHome(dir.resolve("home"));
  }

  @AfterEach
  void restoreHome() {
    home.close();
  }

  private static Generator folder(Path folder, LoraSet loras) throws Exception {
    return CheckpointGenerators.openFolder(folder, loras, "onnx", BackendOptions.DEFAULTS, GenerationLimits.DEFAULTS,
        List.of());
  }

  @Test
  void aConvertedFolderWithLorasComputesWhatTheCheckpointWithLorasComputesBitForBit() throws Exception {
    Path folder = CheckpointFolders.cached(request(LoraSet.NONE));
    float[] base;
    try (Generator g = folder(folder, LoraSet.NONE)) {
      base = outputs(g);
    }
    for (LoraSet loras : List.of(set(a(1, 1)), set(a(0.5, -1), b(0.8)), set(a(1, 0)), set(a(0, 1)))) {
      float[] expected;
      try (Generator g = CheckpointGenerators.open(request(loras), "onnx", BackendOptions.DEFAULTS,
          GenerationLimits.DEFAULTS)) {
        expected = outputs(g);
      }
      try (Generator g = folder(folder, loras)) {
        assertThat(outputs(g)).as("%s", loras).isEqualTo(expected).isNotEqualTo(base);
      }
    }
  }

  @Test
  void aFloat16FolderGetsFloat16WeightsOfTheSameParameters() throws Exception {
    CheckpointFolders.Request r = request(set(a(1, 1)));
    SdFolderExport e = r.export();
    SdFolderExport fp16 = new SdFolderExport(e.flavor(), Precision.FP16, e.storage(), e.unetWeights(), e.imageSize(),
        e.prediction(), e.scaleFactor(), e.loras());
    CheckpointFolders.Request half = new CheckpointFolders.Request(r.checkpoint(), r.vae(), r.config(), r.inference(), fp16);
    Path folder = CheckpointFolders.cached(half.withLoras(LoraSet.NONE));
    try (WeightOverrides fromCheckpoint = LoraOverrides.of(half);
        WeightOverrides fromFolder = LoraOverrides.ofFolder(folder, half.export().loras())) {
      for (ModelComponent c : List.of(ModelComponent.TEXT_ENCODER, ModelComponent.UNET)) {
        assertThat(fromFolder.of(c)).extracting(WeightOverrides.Weight::name)
            .containsExactlyElementsOf(fromCheckpoint.of(c).stream().map(WeightOverrides.Weight::name).toList());
        assertThat(fromFolder.of(c)).allSatisfy(w -> assertThat(w.type()).isEqualTo(PortType.FLOAT16));
      }
      assertThat(fromFolder.bytes()).isEqualTo(fromCheckpoint.bytes());
    }
  }

  /**
   * SD 2.x ({@code sd2-small}, OpenCLIP's fused q/k/v, a stored last text layer no graph computes) with the
   * sd2 LoRA fixture: the merged weights from the folder are the checkpoint's, byte for byte.
   */
  @Test
  void anSd2FolderGetsTheCheckpointsMergedWeightsByteForByte() throws Exception {
    Path file = Sd1FixtureParityTest.resource("/fixtures/sd2-small/sd2-small-fp32.safetensors");
    LoraSet loras = new LoraSet(List.of(new io.github.ldm4j.checkpoint.lora.AppliedLora(
        LoraFixtureParityTest.lora("sd2_c.safetensors"), 0.7, 1.3)));
    CheckpointFolders.Request d = CheckpointFolders.Request.defaults(file);
    // sd2-small's 32 channels per UNet head, which its tensors cannot tell (as Sd2FixtureParityTest)
    InferenceConfig heads = new InferenceConfig(java.util.OptionalInt.empty(), java.util.OptionalInt.of(32),
        java.util.Optional.empty(), java.util.OptionalDouble.empty(), java.util.Optional.empty());
    CheckpointFolders.Request r = new CheckpointFolders.Request(d.checkpoint(), d.vae(), d.config(), heads,
        d.export().withLoras(loras));
    Path folder = CheckpointFolders.cached(r.withLoras(LoraSet.NONE));
    ConvertedFolder converted = ConvertedFolder.read(folder);
    assertThat(converted.family()).isEqualTo(SdCheckpoint.Family.SD2);
    try (WeightOverrides fromCheckpoint = LoraOverrides.of(r);
        WeightOverrides fromFolder = LoraOverrides.ofFolder(folder, loras)) {
      assertThat(fromFolder.components()).containsExactlyElementsOf(fromCheckpoint.components())
          .contains(ModelComponent.TEXT_ENCODER, ModelComponent.UNET);
      for (ModelComponent c : fromCheckpoint.components()) {
        List<WeightOverrides.Weight> want = fromCheckpoint.of(c);
        List<WeightOverrides.Weight> have = fromFolder.of(c);
        assertThat(have).hasSameSizeAs(want);
        for (int i = 0; i < want.size(); i++) {
          assertThat(have.get(i).name()).isEqualTo(want.get(i).name());
          assertThat(have.get(i).shape()).isEqualTo(want.get(i).shape());
          assertThat(have.get(i).data().toArray(java.lang.foreign.ValueLayout.JAVA_BYTE))
              .as(want.get(i).name()).isEqualTo(want.get(i).data().toArray(java.lang.foreign.ValueLayout.JAVA_BYTE));
        }
      }
    }
  }

  @Test
  void aFolderNotWrittenByTheConversionIsRefusedNamingItAndTheCheckpoint() throws Exception {
    Path converted = CheckpointFolders.cached(request(LoraSet.NONE));
    Path foreign = copy(converted, dir.resolve("foreign"));
    Path config = foreign.resolve("text_encoder/config.json");
    Files.writeString(config, Files.readString(config).replace(SdFolderExport.FAMILY, "optimum"));
    assertThatThrownBy(() -> folder(foreign, set(a(1, 1)))).isInstanceOf(CheckpointFormatException.class)
        .hasMessageContaining(foreign.toString()).hasMessageContaining("not written by ldm4j convert")
        .hasMessageContaining("give the checkpoint file");
  }

  @Test
  void aFolderWhoseInitializersAreNotTheArchitecturesIsRefused() throws Exception {
    Path converted = CheckpointFolders.cached(request(LoraSet.NONE));
    Path other = copy(converted, dir.resolve("other"));
    Path config = other.resolve("unet/config.json");
    // a config describing more layers per block than the weights have: their names do not map
    String json = Files.readString(config);
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"layers_per_block\"\\s*:\\s*(\\d+)").matcher(json);
    assertThat(m.find()).isTrue();
    Files.writeString(config, json.substring(0, m.start(1)) + (Integer.parseInt(m.group(1)) + 1) + json.substring(m.end(1)));
    assertThatThrownBy(() -> folder(other, set(a(0, 1)))).isInstanceOf(CheckpointFormatException.class)
        .hasMessageContaining(other.toString()).hasMessageContaining("has no initializer")
        .hasMessageContaining("give the checkpoint file");
  }

  @Test
  void withoutLorasAnyFolderOpensAsItIs() throws Exception {
    Path converted = CheckpointFolders.cached(request(LoraSet.NONE));
    Path foreign = copy(converted, dir.resolve("plain"));
    Path config = foreign.resolve("text_encoder/config.json");
    Files.writeString(config, Files.readString(config).replace(SdFolderExport.FAMILY, "optimum"));
    try (Generator g = folder(foreign, LoraSet.NONE)) {
      assertThat(outputs(g)).isNotEmpty();
    }
  }

  private static Path copy(Path from, Path to) throws Exception {
    try (Stream<Path> s = Files.walk(from)) {
      for (Path p : s.toList()) {
        Path t = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(t);
        } else {
          Files.copy(p, t);
        }
      }
    }
    return to;
  }
}
