package io.github.ldm4j.checkpoint.sd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.ldm4j.checkpoint.CheckpointFormatException;
import io.github.ldm4j.checkpoint.StateDict;
import io.github.ldm4j.checkpoint.DType;
import io.github.ldm4j.checkpoint.StateDicts;
import io.github.ldm4j.model.ConditioningKey;
import io.github.ldm4j.model.Parameterization;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class InferenceConfigTest {

  private static final Path FILE = Path.of("model.yaml");

  /** The fields CompVis' {@code v1-inference.yaml} sets, in its layout (heads fixed, eps by default). */
  private static final String V1 = """
      model:
        base_learning_rate: 1.0e-04
        target: ldm.models.diffusion.ddpm.LatentDiffusion
        params:
          linear_start: 0.00085
          conditioning_key: crossattn
          scale_factor: 0.18215
          use_ema: False
          unet_config:
            target: ldm.modules.diffusionmodules.openaimodel.UNetModel
            params:
              model_channels: 320
              attention_resolutions: [ 4, 2, 1 ]
              num_heads: 8
              use_spatial_transformer: True
      """;

  /** The fields of {@code v2-inference-v.yaml}: head width instead of head count, v-prediction. */
  private static final String V2_V = """
      model:
        target: ldm.models.diffusion.ddpm.LatentDiffusion
        params:
          parameterization: "v"
          scale_factor: 0.18215
          unet_config:
            params:
              num_head_channels: 64 # need to fix for flash-attn
              use_linear_in_transformer: True
      """;

  @Test
  void readsTheFieldsShapesCannotTell() throws Exception {
    InferenceConfig v1 = parse(V1);
    assertThat(v1.numHeads()).hasValue(8);
    assertThat(v1.numHeadChannels()).isEmpty();
    assertThat(v1.parameterization()).isEmpty();
    assertThat(v1.scaleFactor()).hasValue(0.18215);
    assertThat(v1.conditioningKey()).contains(ConditioningKey.CROSSATTN);
    assertThat(v1.hints())
        .isEqualTo(new SdCheckpoint.Hints(OptionalInt.empty(), OptionalInt.of(8), Optional.of(ConditioningKey.CROSSATTN)));

    InferenceConfig v2 = parse(V2_V);
    assertThat(v2.numHeadChannels()).hasValue(64);
    assertThat(v2.numHeads()).isEmpty();
    assertThat(v2.parameterization()).contains(Parameterization.V);
    assertThat(v2.conditioningKey()).as("absent: the tensors decide").isEmpty();

    assertThat(parse("model: {params: {unet_config: {params: {num_heads: -1, num_head_channels: 32}}}}").hints())
        .as("-1 is CompVis' 'unset'").isEqualTo(new SdCheckpoint.Hints(OptionalInt.of(32), OptionalInt.empty()));
    assertThat(parse("model: {params: {}}")).isEqualTo(InferenceConfig.NONE);
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', textBlock = """
      'model: [1'                                                                   | is not valid YAML
      '- a list'                                                                    | no model.params mapping
      ''                                                                            | no model.params mapping
      'model: {target: x}'                                                          | no model.params mapping
      'model: {params: {unet_config: {params: {num_heads: eight}}}}'                | num_heads must be an integer, got "eight"
      'model: {params: {unet_config: {params: {num_heads: 0}}}}'                    | num_heads must be positive or -1 (unset), got 0
      'model: {params: {unet_config: {params: {num_head_channels: 2.5}}}}'          | num_head_channels must be an integer, got 2.5
      'model: {params: {unet_config: {params: {num_head_channels: 99999999999}}}}'  | num_head_channels must be an integer
      'model: {params: {parameterization: 3}}'                                      | parameterization must be a string, got NUMBER
      'model: {params: {parameterization: velocity}}'                               | parameterization: unknown parameterization 'velocity'
      'model: {params: {scale_factor: -1}}'                                         | scale_factor must be a positive number, got -1
      'model: {params: {scale_factor: .nan}}'                                       | is not valid YAML
      'model: {params: {scale_factor: "0.18"}}'                                     | scale_factor must be a positive number
      'model: {params: {conditioning_key: 1}}'                                      | model.params.conditioning_key must be a string, got NUMBER
      'model: {params: {conditioning_key: [hybrid]}}'                               | model.params.conditioning_key must be a string, got ARRAY
      'a: &x [*x]'                                                                  | no model.params mapping
      """)
  void refusesWhatIsNotAConfigNamingFileAndField(String yaml, String message) {
    assertThatThrownBy(() -> parse(yaml)).isInstanceOf(CheckpointFormatException.class)
        .hasMessageStartingWith(FILE + ": ").hasMessageContaining(message);
  }

  /** CompVis' {@code DiffusionWrapper} keys ldm4j has; null, {@code ~}, an empty value and an absent key state nothing. */
  @ParameterizedTest
  @CsvSource(delimiter = '|', nullValues = "-", textBlock = """
      'conditioning_key: crossattn'    | CROSSATTN
      'conditioning_key: "hybrid"'     | HYBRID
      'conditioning_key: concat'       | CONCAT
      'conditioning_key: null'         | -
      'conditioning_key: ~'            | -
      'conditioning_key:'              | -
      'scale_factor: 0.18215'          | -
      """)
  void readsTheConditioningKey(String field, String key) throws Exception {
    InferenceConfig c = parse("model:\n  params:\n    " + field + "\n");
    assertThat(c.conditioningKey()).isEqualTo(Optional.ofNullable(key).map(ConditioningKey::valueOf));
    assertThat(c.hints().conditioningKey()).isEqualTo(c.conditioningKey());
  }

  /** The adm family (SD unCLIP, the x4 upscaler) and anything else: the value, the file and what ldm4j runs. */
  @ParameterizedTest
  @CsvSource(delimiter = '|', textBlock = """
      adm           | 'adm' is not supported: it feeds a class or image embedding (y)
      hybrid-adm    | 'hybrid-adm' is not supported
      crossattn-adm | 'crossattn-adm' is not supported
      cross_attn    | 'cross_attn' is unknown: CompVis' values are crossattn, concat, hybrid and adm (and null)
      none          | 'none' is unknown
      Hybrid        | 'Hybrid' is unknown
      '"hybrid "'   | 'hybrid ' is unknown
      """)
  void refusesConditioningKeysLdm4jCannotRun(String value, String message) {
    assertThatThrownBy(() -> parse("model: {params: {conditioning_key: " + value + "}}"))
        .isInstanceOf(CheckpointFormatException.class)
        .hasMessageStartingWith(FILE + ": model.params.conditioning_key ")
        .hasMessageContaining(message)
        .hasMessageContaining("ldm4j runs crossattn (SD 1.x / 2.x) and hybrid (their 9-channel inpainting UNets)");
  }

  @Test
  void aConfigNeverStatesNone() {
    assertThatThrownBy(() -> new InferenceConfig(OptionalInt.empty(), OptionalInt.empty(), Optional.empty(),
        OptionalDouble.empty(), Optional.of(ConditioningKey.NONE)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("CompVis' None is an empty key");
  }

  /**
   * A config's key reaches detection: what it says must be what the UNet takes (4 channels: crossattn,
   * the 9 of inpainting: hybrid), else both are named.
   */
  @Test
  void theConfigsKeyIsCheckedAgainstTheUNet() throws Exception {
    InferenceConfig hybrid = parse("model: {params: {conditioning_key: hybrid}}");
    InferenceConfig crossattn = parse(V1);
    try (MemoryStateDict plain = SdCheckpointTest.checkpoint(SdCheckpointTest.SMALL, "", true, DType.F32, false);
        MemoryStateDict inpainting =
            SdCheckpointTest.checkpoint(SdCheckpointTest.SMALL.inpainting(), "", true, DType.F32, false)) {
      assertThat(SdCheckpoint.of(plain, crossattn.hints()).conditioningKey()).isEqualTo(ConditioningKey.CROSSATTN);
      assertThat(SdCheckpoint.of(inpainting, hybrid.hints()).conditioningKey()).isEqualTo(ConditioningKey.HYBRID);
      assertThat(SdCheckpoint.of(inpainting, InferenceConfig.NONE.hints()).conditioningKey())
          .isEqualTo(ConditioningKey.HYBRID);
      assertThatThrownBy(() -> SdCheckpoint.of(plain, hybrid.hints())).isInstanceOf(CheckpointFormatException.class)
          .hasMessageContaining("conditioning_key is 'hybrid'")
          .hasMessageContaining("the UNet takes 4 input channels for 4 output channels")
          .hasMessageContaining("its tensors are 'crossattn'");
      assertThatThrownBy(() -> SdCheckpoint.of(inpainting, crossattn.hints()))
          .hasMessageContaining("conditioning_key is 'crossattn'")
          .hasMessageContaining("the UNet takes 9 input channels").hasMessageContaining("its tensors are 'hybrid'");
    }
  }

  @Test
  void yamlTagsAreDataNotObjects() throws Exception {
    // A pickle-style tag must not construct anything; the field it sits on is ignored.
    assertThat(parse("model: {target: !!python/object/apply:os.system [\"touch /tmp/x\"], params: {}}"))
        .isEqualTo(InferenceConfig.NONE);
  }

  @Test
  void findsTheConfigBesideACheckpointAndBoundsItsSize(@TempDir Path dir) throws Exception {
    Path ckpt = Files.writeString(dir.resolve("v2-1_768.safetensors"), "x");
    assertThat(InferenceConfig.beside(ckpt)).isEmpty();
    Path yaml = Files.writeString(dir.resolve("v2-1_768.yaml"), V2_V);
    assertThat(InferenceConfig.beside(ckpt)).contains(yaml);
    assertThat(InferenceConfig.read(yaml).parameterization()).contains(Parameterization.V);

    Path big = Files.write(dir.resolve("big.yaml"), new byte[(int) InferenceConfig.MAX_BYTES + 1]);
    assertThatThrownBy(() -> InferenceConfig.read(big)).isInstanceOf(CheckpointFormatException.class)
        .hasMessageContaining("more than an inference config");
  }

  /**
   * The SD 2.x fixture (CompVis' own networks, see {@link Sd2FixtureParityTest}) opened with the
   * hints of a config carrying its {@code unet_config} values, as a user's {@code .yaml} beside the
   * checkpoint does: the detected UNet matches the manifest, where the SD 2.x rule (64 channels per
   * head) alone refuses it.
   */
  @Test
  void configHintsOpenTheSd2FixtureAsItsConfigSays() throws Exception {
    Path dir = Path.of("src/test/resources/fixtures/sd2-small");
    var manifest = new ObjectMapper().readTree(dir.resolve("manifest.json").toFile());
    int headChannels = manifest.path("config").path("unet").path("num_head_channels").asInt();
    InferenceConfig config = parse("model: {params: {parameterization: v, unet_config: {params: {num_head_channels: "
        + headChannels + "}}}}");
    try (StateDict dict = StateDicts.open(dir.resolve("sd2-small-fp32.safetensors"))) {
      assertThat(SdCheckpoint.of(dict, config.hints()).architecture().unet().headChannels()).isEqualTo(headChannels);
      assertThatThrownBy(() -> SdCheckpoint.of(dict)).as("the SD 2.x rule alone")
          .isInstanceOf(CheckpointFormatException.class).hasMessageContaining("not divisible by headChannels 64");
    }
    assertThat(config.parameterization()).isEqualTo(Optional.of(Parameterization.V));
  }

  private static InferenceConfig parse(String yaml) throws CheckpointFormatException {
    return InferenceConfig.parse(FILE, yaml.getBytes(StandardCharsets.UTF_8));
  }
}
