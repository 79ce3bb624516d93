package io.github.ldm4j.checkpoint.sd;

import static io.github.ldm4j.checkpoint.sd.Sd1FixtureParityTest.assertClose;
import static io.github.ldm4j.checkpoint.sd.Sd1FixtureParityTest.ids;
import static io.github.ldm4j.checkpoint.sd.Sd1FixtureParityTest.perItem;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.ldm4j.backend.onnx.OnnxBackend;
import io.github.ldm4j.backend.onnx.OnnxOptions;
import io.github.ldm4j.checkpoint.CheckpointFormatException;
import io.github.ldm4j.checkpoint.StateDict;
import io.github.ldm4j.checkpoint.StateDicts;
import io.github.ldm4j.checkpoint.lora.AppliedLora;
import io.github.ldm4j.checkpoint.lora.LoraFile;
import io.github.ldm4j.checkpoint.lora.LoraMapping;
import io.github.ldm4j.checkpoint.lora.LoraSet;
import io.github.ldm4j.export.onnx.WriteProgress;
import io.github.ldm4j.folder.ModelComponent;
import io.github.ldm4j.folder.ModelFolder;
import io.github.ldm4j.model.Parameterization;
import io.github.ldm4j.spi.BackendOptions;
import io.github.ldm4j.spi.NetworkRequest;
import io.github.ldm4j.spi.NetworkSet;
import io.github.ldm4j.spi.contract.NetworkTextEncoder;
import io.github.ldm4j.spi.contract.NetworkUNet;
import io.github.ldm4j.tensor.Tensor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * LoRA merges against the ORIGINAL code: {@code fixtures/lora} was produced by {@code
 * checkpoint/src/test/python/gen_lora.py}, which merges random kohya-format LoRA files into the
 * {@code sd1-small} / {@code sd2-small} checkpoints with kohya-ss sd-scripts' own {@code
 * LoRAInfModule.merge_to} (names from its {@code lora.py} rule over its {@code model_util}
 * conversions; commits in the manifest) and runs the merged weights through CompVis' /
 * Stability-AI's modules. ldm4j converts the checkpoint with the LoRA merged ({@link
 * SdFolderExport#withLoras}) and must reproduce those outputs within the fp32 tolerance of the
 * other parity tests.
 */
class LoraFixtureParityTest {

  private static final String LORA = "/fixtures/lora/";

  @TempDir Path dir;

  @ParameterizedTest
  @ValueSource(strings = {"sd1_a_1", "sd1_ab_frac", "sd2_c_1", "sd2_c_frac"})
  void mergedNetworksMatchTheOriginalCode(String name) throws Exception {
    JsonNode manifest = manifest();
    JsonNode lcase = manifest.path("cases").path(name);
    boolean sd2 = name.startsWith("sd2");
    String base = "/fixtures/" + lcase.path("base").asText() + "/";
    JsonNode baseManifest = new ObjectMapper().readTree(Sd1FixtureParityTest.resource(base + "manifest.json").toFile());
    List<AppliedLora> loras = new ArrayList<>();
    for (JsonNode l : lcase.path("loras")) {
      loras.add(new AppliedLora(Sd1FixtureParityTest.resource(LORA + l.path("file").asText()), l.path("te").asDouble(),
          l.path("unet").asDouble()));
    }
    assertThat(loras).isNotEmpty();
    try (StateDict dict = StateDicts.open(Sd1FixtureParityTest.resource(base + lcase.path("base").asText() + "-fp32.safetensors"))) {
      SdCheckpoint c = checkpoint(dict, baseManifest, sd2);
      Path folder = export(sd2).withLoras(new LoraSet(loras)).write(c, dir.resolve("model"), WriteProgress.NONE).root();
      try (NetworkSet nets = OnnxBackend.open(NetworkRequest.all(ModelFolder.openOnnx(folder), BackendOptions.DEFAULTS),
          OnnxOptions.DEFAULTS)) {
        NetworkTextEncoder te = new NetworkTextEncoder(nets.get(ModelComponent.TEXT_ENCODER).orElseThrow());
        Tensor text = te.encode(ids(Sd1FixtureParityTest.read(baseManifest, "text_ids", base))).lastHiddenState();
        assertClose(name + " text", Sd1FixtureParityTest.read(manifest, name + (sd2 ? "_text_penultimate" : "_text_last_hidden_state"),
            LORA), text);
        NetworkUNet u = new NetworkUNet(nets.get(ModelComponent.UNET).orElseThrow(),
            sd2 ? Parameterization.V : Parameterization.EPS, OptionalInt.empty());
        Tensor out = perItem(u, Sd1FixtureParityTest.read(baseManifest, "unet_x", base),
            Sd1FixtureParityTest.read(baseManifest, "unet_t_a", base), Sd1FixtureParityTest.read(baseManifest, "unet_context", base));
        assertClose(name + " unet", Sd1FixtureParityTest.read(manifest, name + "_unet_out_a", LORA), out);
        // the LoRA moved the outputs far beyond the tolerance: the comparison above can fail
        assertThat(out.maxAbsDiff(Sd1FixtureParityTest.read(baseManifest, "unet_out_a", base))).isGreaterThan(0.1);
      }
    }
  }

  @Test
  void weightZeroIsNoLoraBitForBit() throws Exception {
    try (StateDict dict = StateDicts.open(Sd1FixtureParityTest.resource("/fixtures/sd1-small/sd1-small-fp32.safetensors"))) {
      SdCheckpoint c = SdCheckpoint.of(dict);
      Path plain = export(false).write(c, dir.resolve("plain"), WriteProgress.NONE).root();
      Path zero = export(false).withLoras(new LoraSet(List.of(new AppliedLora(lora("sd1_a.safetensors"), 0, 0),
          new AppliedLora(lora("sd1_b.safetensors"), 0)))).write(c, dir.resolve("zero"), WriteProgress.NONE).root();
      Path teOnly = export(false).withLoras(new LoraSet(List.of(new AppliedLora(lora("sd1_a.safetensors"), 1, 0))))
          .write(c, dir.resolve("te"), WriteProgress.NONE).root();
      List<Path> files;
      try (Stream<Path> s = Files.walk(plain)) {
        files = s.filter(Files::isRegularFile).map(plain::relativize).sorted().toList();
      }
      assertThat(files).contains(Path.of("unet/model.onnx"), Path.of("text_encoder/model.onnx"));
      for (Path f : files) {
        assertThat(Files.mismatch(plain.resolve(f), zero.resolve(f))).as("%s at weight 0", f).isEqualTo(-1L);
      }
      // a UNet multiplier of 0 leaves the UNet's bytes as they were, while the text encoder changes
      assertThat(Files.mismatch(plain.resolve("unet/model.onnx"), teOnly.resolve("unet/model.onnx"))).isEqualTo(-1L);
      assertThat(Files.mismatch(plain.resolve("text_encoder/model.onnx"), teOnly.resolve("text_encoder/model.onnx")))
          .isNotEqualTo(-1L);
    }
  }

  @Test
  void mapsEveryKeyToItsCompVisKey() throws Exception {
    try (StateDict dict = StateDicts.open(Sd1FixtureParityTest.resource("/fixtures/sd2-small/sd2-small-fp32.safetensors"));
        LoraFile f = LoraFile.open(lora("sd2_c.safetensors"))) {
      SdCheckpoint c = SdCheckpoint.of(dict, new SdCheckpoint.Hints(OptionalInt.of(32), OptionalInt.empty()));
      LoraMapping m = LoraMapping.of(f, c, SdCheckpoint.UNetWeights.MODEL).requireComplete();
      assertThat(f.format()).isEqualTo(LoraFile.Format.KOHYA);
      assertThat(m.targets()).hasSize(f.modules().size());
      assertThat(m.targets()).anySatisfy(t -> {
        assertThat(t.module().name()).isEqualTo("lora_te_text_model_encoder_layers_0_self_attn_k_proj");
        assertThat(t.checkpointKey()).isEqualTo("cond_stage_model.model.transformer.resblocks.0.attn.in_proj_weight[1/3]");
        assertThat(t.computed()).isTrue();
      });
      // the last OpenCLIP layer maps, but SD 2.x's penultimate context never computes it
      assertThat(m.targets()).anySatisfy(t -> {
        assertThat(t.module().name()).isEqualTo("lora_te_text_model_encoder_layers_1_mlp_fc1");
        assertThat(t.checkpointKey()).isEqualTo("cond_stage_model.model.transformer.resblocks.1.mlp.c_fc.weight");
        assertThat(t.computed()).isFalse();
      });
      assertThat(m.targets()).anySatisfy(t -> {
        assertThat(t.module().name()).isEqualTo("lora_unet_up_blocks_0_upsamplers_0_conv");
        assertThat(t.checkpointKey()).isEqualTo("model.diffusion_model.output_blocks.1.1.conv.weight");
        assertThat(t.module().downShape()).containsExactly(4, 64, 3, 3);
      });
    }
  }

  @Test
  void aLoraForAnotherWidthFailsNamingTheFileAndShapes() throws Exception {
    try (StateDict dict = StateDicts.open(Sd1FixtureParityTest.resource("/fixtures/sd2-small/sd2-small-fp32.safetensors"))) {
      SdCheckpoint c = SdCheckpoint.of(dict, new SdCheckpoint.Hints(OptionalInt.of(32), OptionalInt.empty()));
      Path sd1Lora = lora("sd1_a.safetensors");
      assertThatThrownBy(() -> export(true).withLoras(new LoraSet(List.of(new AppliedLora(sd1Lora, 1))))
          .write(c, dir.resolve("model"), WriteProgress.NONE))
          .isInstanceOf(CheckpointFormatException.class)
          .hasMessageStartingWith(sd1Lora.toString())
          .hasMessageContaining("does not fit the model (SD 2.x")
          .hasMessageContaining("a LoRA for another model family or width");
      assertThat(dir.resolve("model")).doesNotExist();
    }
  }

  private static SdCheckpoint checkpoint(StateDict dict, JsonNode baseManifest, boolean sd2) throws CheckpointFormatException {
    if (!sd2) {
      return SdCheckpoint.of(dict);
    }
    int headChannels = baseManifest.path("config").path("unet").path("num_head_channels").asInt();
    return SdCheckpoint.of(dict, new SdCheckpoint.Hints(OptionalInt.of(headChannels), OptionalInt.empty()));
  }

  private static SdFolderExport export(boolean sd2) {
    return new SdFolderExport(SdFolderExport.DEFAULTS.flavor(), SdFolderExport.DEFAULTS.precision(),
        SdFolderExport.DEFAULTS.storage(), SdCheckpoint.UNetWeights.MODEL, 32, sd2 ? Parameterization.V : Parameterization.EPS);
  }

  private static JsonNode manifest() throws Exception {
    return new ObjectMapper().readTree(lora("manifest.json").toFile());
  }

  static Path lora(String name) throws Exception {
    return Sd1FixtureParityTest.resource(LORA + name);
  }
}
