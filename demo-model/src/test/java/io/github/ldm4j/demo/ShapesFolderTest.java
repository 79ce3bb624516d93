package io.github.ldm4j.demo;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.ldm4j.export.folder.ExportFlavor;
import io.github.ldm4j.export.folder.PipelineVariant;
import io.github.ldm4j.model.Parameterization;
import java.io.IOException;
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

/** The shapes folder: its files, the configs a pipeline reads, and byte-for-byte determinism. */
class ShapesFolderTest {

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
    assertThat(read("unet/config.json").get("_ldm4j_oracle").get("prediction_type").asText()).isEqualTo("eps");
    assertThat(read("text_encoder/config.json").get("hidden_size").asInt()).isEqualTo(8);
    assertThat(read("model_index.json").get("_class_name").asText()).isEqualTo("StableDiffusionPipeline");
  }

  @Test
  void variantsReachTheConfigsAndTheIndex() throws IOException {
    ShapesModel.write(tmp, ShapesOptions.defaults().withImageSize(32).withFlavor(ExportFlavor.LEGACY)
        .withVariant(PipelineVariant.INPAINTING).withPrediction(Parameterization.V));
    assertThat(read("model_index.json").get("_class_name").asText()).isEqualTo("OnnxStableDiffusionInpaintPipeline");
    assertThat(read("unet/config.json").get("in_channels").asInt()).isEqualTo(9);
    assertThat(read("scheduler/scheduler_config.json").get("prediction_type").asText()).isEqualTo("v_prediction");
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
