package io.github.ldm4j.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.ldm4j.model.Parameterization;
import io.github.ldm4j.conditioning.clip.ClipVocabulary;
import io.github.ldm4j.testkit.sd.SdModel;
import io.github.ldm4j.testkit.sd.SdOptions;
import io.github.ldm4j.testkit.shapes.ShapesDataset;
import io.github.ldm4j.testkit.shapes.ShapesModel;
import io.github.ldm4j.testkit.shapes.ShapesOptions;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Folder layout, JSON files and tokenizer files against reference facts §3–§5. */
class FolderLayoutTest {

  static final ObjectMapper JSON = new ObjectMapper();

  @TempDir
  Path tmp;

  @Test
  void shapesFolderHasTheDiffusersLayout() throws IOException {
    ShapesModel.write(tmp, ShapesOptions.defaults().withImageSize(64));
    for (String f : List.of("model_index.json", "scheduler/scheduler_config.json", "tokenizer/vocab.json",
        "tokenizer/merges.txt", "tokenizer/special_tokens_map.json", "tokenizer/tokenizer_config.json",
        "text_encoder/model.onnx", "text_encoder/config.json", "unet/model.onnx", "unet/config.json",
        "vae_decoder/model.onnx", "vae_decoder/config.json", "vae_encoder/model.onnx", "vae_encoder/config.json")) {
      assertThat(tmp.resolve(f)).as(f).isRegularFile();
    }
    assertThat(tmp.resolve("unet/model.onnx_data")).doesNotExist();
    double sf = ShapesDataset.of(64).scalingFactor();
    assertThat(read("vae_decoder/config.json").get("scaling_factor").asDouble()).isEqualTo(sf);
    assertThat(read("vae_encoder/config.json").get("scaling_factor").asDouble()).isEqualTo(sf);
    assertThat(read("unet/config.json").get("sample_size").asInt()).isEqualTo(8);
    assertThat(read("unet/config.json").get("in_channels").asInt()).isEqualTo(4);
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
  void schedulerConfigIsSdV15s() throws IOException {
    ShapesModel.write(tmp, ShapesOptions.defaults().withImageSize(32));
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

    ShapesModel.write(tmp.resolve("v"), ShapesOptions.defaults().withImageSize(32).withPrediction(Parameterization.V));
    assertThat(read("v/scheduler/scheduler_config.json").get("prediction_type").asText()).isEqualTo("v_prediction");
    ShapesModel.write(tmp.resolve("x0"), ShapesOptions.defaults().withImageSize(32)
        .withPrediction(Parameterization.X0));
    assertThat(read("x0/scheduler/scheduler_config.json").get("prediction_type").asText()).isEqualTo("sample");
  }

  @Test
  void legacyFlavorNamesTheOnnxPipelineClasses() throws IOException {
    ShapesModel.write(tmp, ShapesOptions.defaults().withImageSize(32).withFlavor(ExportFlavor.LEGACY)
        .withVariant(PipelineVariant.INPAINTING));
    JsonNode index = read("model_index.json");
    assertThat(index.get("_class_name").asText()).isEqualTo("OnnxStableDiffusionInpaintPipeline");
    assertThat(index.has("vae")).isFalse();
    assertThat(index.has("text_encoder_2")).isFalse();
    for (String c : List.of("text_encoder", "unet", "vae_decoder", "vae_encoder")) {
      assertThat(index.get(c).toString()).isEqualTo("[\"diffusers\",\"OnnxRuntimeModel\"]");
    }
    assertThat(read("unet/config.json").get("in_channels").asInt()).isEqualTo(9);
  }

  @Test
  void tokenizerFilesAreTheClipVocabulary() throws IOException {
    ShapesModel.write(tmp, ShapesOptions.defaults().withImageSize(32));
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
  }

  @Test
  void tinySdFolderConfigsDescribeTheNetworks() throws IOException {
    SdModel.write(tmp, SdOptions.tiny());
    JsonNode unet = read("unet/config.json");
    assertThat(unet.get("block_out_channels").toString()).isEqualTo("[32,64,64]");
    assertThat(unet.get("down_block_types").toString())
        .isEqualTo("[\"CrossAttnDownBlock2D\",\"CrossAttnDownBlock2D\",\"DownBlock2D\"]");
    assertThat(unet.get("up_block_types").toString())
        .isEqualTo("[\"UpBlock2D\",\"CrossAttnUpBlock2D\",\"CrossAttnUpBlock2D\"]");
    assertThat(unet.get("cross_attention_dim").asInt()).isEqualTo(32);
    assertThat(unet.get("sample_size").asInt()).isEqualTo(8);
    assertThat(read("vae_decoder/config.json").get("scaling_factor").asDouble()).isEqualTo(0.18215);
    assertThat(read("text_encoder/config.json").get("vocab_size").asInt()).isEqualTo(49408);
  }

  @Test
  void shapesGenerationIsByteForByteDeterministic() throws Exception {
    ShapesOptions opts = ShapesOptions.defaults().withImageSize(64);
    ShapesModel.write(tmp.resolve("a"), opts);
    ShapesModel.write(tmp.resolve("b"), opts);
    Map<String, String> a = digests(tmp.resolve("a"));
    assertThat(a).hasSize(14);
    assertThat(digests(tmp.resolve("b"))).isEqualTo(a);
  }

  private JsonNode read(String path) throws IOException {
    return JSON.readTree(tmp.resolve(path).toFile());
  }

  static Map<String, String> digests(Path root) throws Exception {
    Map<String, String> out = new TreeMap<>();
    try (Stream<Path> s = Files.walk(root)) {
      for (Path p : (Iterable<Path>) s.filter(Files::isRegularFile)::iterator) {
        byte[] d = MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(p));
        out.put(root.relativize(p).toString(), HexFormat.of().formatHex(d));
      }
    }
    return out;
  }
}
