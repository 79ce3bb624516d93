package io.github.ldm4j.checkpoint.sd;

import static io.github.ldm4j.checkpoint.sd.Sd1FixtureParityTest.assertClose;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.ldm4j.backend.onnx.OnnxBackend;
import io.github.ldm4j.backend.onnx.OnnxOptions;
import io.github.ldm4j.checkpoint.DType;
import io.github.ldm4j.checkpoint.StateDict;
import io.github.ldm4j.checkpoint.StateDicts;
import io.github.ldm4j.conditioning.clip.ClipTokenizer;
import io.github.ldm4j.export.onnx.WriteProgress;
import io.github.ldm4j.folder.ModelComponent;
import io.github.ldm4j.folder.ModelFolder;
import io.github.ldm4j.model.Parameterization;
import io.github.ldm4j.spi.BackendOptions;
import io.github.ldm4j.spi.NetworkRequest;
import io.github.ldm4j.spi.NetworkSet;
import io.github.ldm4j.spi.contract.NetworkTextEncoder;
import io.github.ldm4j.tensor.Tensor;
import java.nio.file.Path;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The command-line fixtures ({@code fixtures/cli-sd1}, {@code fixtures/cli-sd2}, written by {@code
 * checkpoint/src/test/python/gen_cli.py}; the app's {@code CheckpointCliParityIT} runs {@code ldm4j
 * generate} on them): their F16 checkpoints are detected from keys and shapes alone (no config; CLIP's
 * full vocabulary), and the prompt STRING goes the same way as in the original conditioner —
 * ldm4j's CLIP tokenizer (the one the converted folder names) gives exactly the ids the original
 * fed to its text encoder (SD 1.x: transformers' {@code CLIPTokenizer} rule, padded with
 * {@code <|endoftext|>}; SD 2.x: {@code open_clip.tokenize}, padded with 0), for the prompt and for
 * the empty negative prompt, and the text encoder built from the checkpoint turns them into the
 * original's {@code c} and {@code uc} ({@code get_learned_conditioning}).
 */
class CliFixtureParityTest {

  @TempDir Path dir;

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"cli-sd1", "cli-sd2"})
  void promptTokensAndContextsMatchTheOriginalConditioner(String name) throws Exception {
    String fixture = "/fixtures/" + name + "/";
    JsonNode manifest = new ObjectMapper().readTree(Sd1FixtureParityTest.resource(fixture + "manifest.json").toFile());
    JsonNode t = manifest.path("txt2img");
    JsonNode text = manifest.path("config").path("text_encoder");
    Parameterization prediction = Parameterization.fromName(t.path("parameterization").asText());
    try (StateDict dict = StateDicts.open(Sd1FixtureParityTest.resource(fixture + manifest.at("/checkpoint/file").asText()))) {
      assertThat(dict.entries().get(CompVisNames.UNET + "input_blocks.0.0.weight").dtype()).isEqualTo(DType.F16);
      SdCheckpoint c = SdCheckpoint.of(dict); // no hints: the family's rules
      assertThat(c.family()).isEqualTo(name.equals("cli-sd1") ? SdCheckpoint.Family.SD1 : SdCheckpoint.Family.SD2);
      assertThat(c.architecture().text().vocabSize()).isEqualTo(49408).isEqualTo(text.path("vocab_size").asInt());
      assertThat(c.architecture().unet().contextDim()).isEqualTo(manifest.at("/config/unet/context_dim").asInt());
      Path folder = new SdFolderExport(SdFolderExport.DEFAULTS.flavor(), SdFolderExport.DEFAULTS.precision(),
          SdFolderExport.DEFAULTS.storage(), SdCheckpoint.UNetWeights.MODEL, t.path("width").asInt(), prediction)
          .write(c, dir.resolve("model"), WriteProgress.NONE).root();
      ModelFolder mf = ModelFolder.openOnnx(folder);

      ClipTokenizer tokenizer = ClipTokenizer.forModel(mf);
      assertThat(tokenizer.padId()).isEqualTo(text.path("pad_token_id").asInt());
      int[] cond = tokenizer.encode(t.path("prompt").asText()).ids();
      int[] uncond = tokenizer.encode(t.path("negative_prompt").asText()).ids();
      assertThat(cond).as("ids of the prompt %s", t.path("prompt")).containsExactly(ints(t.path("prompt_ids")));
      assertThat(uncond).as("ids of the negative prompt").containsExactly(ints(t.path("negative_prompt_ids")));

      try (NetworkSet nets = OnnxBackend.open(NetworkRequest.all(mf, BackendOptions.DEFAULTS), OnnxOptions.DEFAULTS)) {
        NetworkTextEncoder te = new NetworkTextEncoder(nets.get(ModelComponent.TEXT_ENCODER).orElseThrow());
        assertClose(name + " c (prompt)", read(manifest, "c", fixture), te.encode(new int[][] {cond}).lastHiddenState());
        assertClose(name + " uc (\"\")", read(manifest, "uc", fixture), te.encode(new int[][] {uncond}).lastHiddenState());
      }
    }
  }

  private static Tensor read(JsonNode manifest, String tensor, String fixture) throws Exception {
    return Sd1FixtureParityTest.read(manifest, tensor, fixture);
  }

  private static int[] ints(JsonNode array) {
    return StreamSupport.stream(array.spliterator(), false).mapToInt(JsonNode::asInt).toArray();
  }
}
