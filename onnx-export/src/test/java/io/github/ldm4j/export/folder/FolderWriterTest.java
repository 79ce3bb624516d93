package io.github.ldm4j.export.folder;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.ldm4j.conditioning.clip.ClipVocabulary;
import io.github.ldm4j.export.onnx.Dim;
import io.github.ldm4j.export.onnx.ElementType;
import io.github.ldm4j.export.onnx.GraphBuilder;
import io.github.ldm4j.export.onnx.OnnxGraph;
import io.github.ldm4j.export.onnx.Ops;
import io.github.ldm4j.export.onnx.TensorType;
import io.github.ldm4j.export.onnx.Value;
import io.github.ldm4j.export.onnx.WeightStorage;
import io.github.ldm4j.export.onnx.WriteProgress;
import io.github.ldm4j.model.Parameterization;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** model_index.json, scheduler and tokenizer files against reference facts §3–§5, for any networks. */
class FolderWriterTest {

  static final ObjectMapper JSON = new ObjectMapper();

  @TempDir
  Path tmp;

  /** A one-node graph standing in for a network: the writer does not look inside. */
  static OnnxGraph network(String name) {
    GraphBuilder g = new GraphBuilder(name);
    Ops o = new Ops(g, ElementType.FLOAT);
    Value x = g.input("x", TensorType.of(ElementType.FLOAT, Dim.symbolic("batch")));
    g.output(o.add(x, x), "y", TensorType.of(ElementType.FLOAT, Dim.symbolic("batch")));
    return g.build();
  }

  static GeneratedFolder write(Path dir, ExportFlavor flavor, PipelineVariant variant, Parameterization prediction,
      List<String> folders) {
    List<Component> components = folders.stream()
        .map(f -> new Component(f, network(f), ComponentConfigs.unetMinimal(4, 4, 8, 8, "test"))).toList();
    return FolderWriter.write(dir, new FolderSpec(flavor, variant, prediction, WeightStorage.INLINE, components),
        WriteProgress.NONE);
  }

  static GeneratedFolder writeAll(Path dir, ExportFlavor flavor, PipelineVariant variant, Parameterization prediction) {
    return write(dir, flavor, variant, prediction, List.of("text_encoder", "unet", "vae_decoder", "vae_encoder"));
  }

  @Test
  void writesTheDiffusersLayout() throws IOException {
    GeneratedFolder written = writeAll(tmp, ExportFlavor.OPTIMUM, PipelineVariant.TEXT_TO_IMAGE, Parameterization.EPS);
    for (String f : List.of("model_index.json", "scheduler/scheduler_config.json", "tokenizer/vocab.json",
        "tokenizer/merges.txt", "tokenizer/special_tokens_map.json", "tokenizer/tokenizer_config.json",
        "text_encoder/model.onnx", "text_encoder/config.json", "unet/model.onnx", "unet/config.json",
        "vae_decoder/model.onnx", "vae_decoder/config.json", "vae_encoder/model.onnx", "vae_encoder/config.json")) {
      assertThat(tmp.resolve(f)).as(f).isRegularFile();
    }
    assertThat(written.root()).isEqualTo(tmp);
    assertThat(written.models()).hasSize(4);
    assertThat(read("unet/config.json").get(ComponentConfigs.FAMILY_KEY).asText()).isEqualTo("test");
  }

  @Test
  void optimumIndexKeepsThePyTorchPipelineClass() throws IOException {
    writeAll(tmp, ExportFlavor.OPTIMUM, PipelineVariant.TEXT_TO_IMAGE, Parameterization.EPS);
    JsonNode index = read("model_index.json");
    assertThat(index.get("_class_name").asText()).isEqualTo("StableDiffusionPipeline");
    assertThat(index.get("tokenizer").toString()).isEqualTo("[\"transformers\",\"CLIPTokenizer\"]");
    assertThat(index.get("scheduler").toString()).isEqualTo("[\"diffusers\",\"PNDMScheduler\"]");
    // optimum's ORTStableDiffusionPipeline.save_pretrained: the ONNX networks as OnnxRuntimeModel, an absent
    // one as [null, null], the PyTorch pipeline's vae entry left in place.
    for (String c : List.of("text_encoder", "unet", "vae_decoder", "vae_encoder")) {
      assertThat(index.get(c).toString()).as(c).isEqualTo("[\"diffusers\",\"OnnxRuntimeModel\"]");
    }
    assertThat(index.get("text_encoder_2").toString()).isEqualTo("[null,null]");
    assertThat(index.get("vae").toString()).isEqualTo("[\"diffusers\",\"AutoencoderKL\"]");
  }

  @Test
  void legacyFlavorNamesTheOnnxPipelineClasses() throws IOException {
    writeAll(tmp, ExportFlavor.LEGACY, PipelineVariant.INPAINTING, Parameterization.EPS);
    JsonNode index = read("model_index.json");
    assertThat(index.get("_class_name").asText()).isEqualTo("OnnxStableDiffusionInpaintPipeline");
    assertThat(index.has("vae")).isFalse();
    assertThat(index.has("text_encoder_2")).isFalse();
    for (String c : List.of("text_encoder", "unet", "vae_decoder", "vae_encoder")) {
      assertThat(index.get(c).toString()).isEqualTo("[\"diffusers\",\"OnnxRuntimeModel\"]");
    }
  }

  @Test
  void anAbsentNetworkIsNullInTheIndex() throws IOException {
    write(tmp, ExportFlavor.OPENVINO, PipelineVariant.TEXT_TO_IMAGE, Parameterization.EPS,
        List.of("text_encoder", "unet", "vae_decoder"));
    assertThat(read("model_index.json").get("vae_encoder").toString()).isEqualTo("[null,null]");
    assertThat(tmp.resolve("vae_encoder")).doesNotExist();
  }

  @Test
  void schedulerConfigIsSdV15s() throws IOException {
    writeAll(tmp, ExportFlavor.OPTIMUM, PipelineVariant.TEXT_TO_IMAGE, Parameterization.EPS);
    JsonNode s = read("scheduler/scheduler_config.json");
    // Reference facts §3.
    assertThat(s.get("_class_name").asText()).isEqualTo("PNDMScheduler");
    assertThat(s.get("beta_schedule").asText()).isEqualTo("scaled_linear");
    assertThat(s.get("beta_start").asDouble()).isEqualTo(0.00085);
    assertThat(s.get("beta_end").asDouble()).isEqualTo(0.012);
    assertThat(s.get("num_train_timesteps").asInt()).isEqualTo(1000);
    assertThat(s.get("steps_offset").asInt()).isEqualTo(1);
    assertThat(s.get("set_alpha_to_one").asBoolean()).isFalse();
    assertThat(s.get("skip_prk_steps").asBoolean()).isTrue();
    assertThat(s.has("prediction_type")).isFalse();
    assertThat(s.has("timestep_spacing")).isFalse();

    writeAll(tmp.resolve("v"), ExportFlavor.OPTIMUM, PipelineVariant.TEXT_TO_IMAGE, Parameterization.V);
    assertThat(read("v/scheduler/scheduler_config.json").get("prediction_type").asText()).isEqualTo("v_prediction");
    writeAll(tmp.resolve("x0"), ExportFlavor.OPTIMUM, PipelineVariant.TEXT_TO_IMAGE, Parameterization.X0);
    assertThat(read("x0/scheduler/scheduler_config.json").get("prediction_type").asText()).isEqualTo("sample");
  }

  @Test
  void tokenizerFilesAreTheClipVocabulary() throws IOException {
    writeAll(tmp, ExportFlavor.OPTIMUM, PipelineVariant.TEXT_TO_IMAGE, Parameterization.EPS);
    JsonNode vocab = read("tokenizer/vocab.json");
    assertThat(vocab.size()).isEqualTo(49408);
    // Reference facts §5.
    Map<String, Integer> expected = Map.of("red</w>", 736, "green</w>", 1901, "blue</w>", 1746,
        "yellow</w>", 4481, "circle</w>", 7117, "square</w>", 3999, "triangle</w>", 14615, "cross</w>", 3417,
        "a</w>", 320, "<|startoftext|>", 49406);
    expected.forEach((token, id) -> assertThat(vocab.get(token).asInt()).as(token).isEqualTo(id));
    assertThat(vocab.get("<|endoftext|>").asInt()).isEqualTo(49407);
    assertThat(vocab.get("photo</w>").asInt()).isEqualTo(1125);
    assertThat(vocab.get("of</w>").asInt()).isEqualTo(539);
    assertThat(vocab.get("cat</w>").asInt()).isEqualTo(2368);
    assertThat(vocab.get("!").asInt()).isZero();
    List<String> merges = Files.readAllLines(tmp.resolve("tokenizer/merges.txt"), StandardCharsets.UTF_8);
    assertThat(merges).hasSize(1 + ClipVocabulary.OPENAI_MERGE_COUNT);
    assertThat(merges.getFirst()).isEqualTo("#version: 0.2");
    assertThat(merges.get(1)).isEqualTo("i n");
    assertThat(read("tokenizer/tokenizer_config.json").get("model_max_length").asInt()).isEqualTo(77);
    assertThat(read("tokenizer/special_tokens_map.json").get("pad_token").asText()).isEqualTo("<|endoftext|>");
    assertThat(ComponentConfigs.bosId()).isEqualTo(49406);
    assertThat(ComponentConfigs.eosId()).isEqualTo(49407);
  }

  private JsonNode read(String path) throws IOException {
    return JSON.readTree(tmp.resolve(path).toFile());
  }
}
