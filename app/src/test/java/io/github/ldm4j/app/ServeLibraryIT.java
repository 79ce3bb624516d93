package io.github.ldm4j.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.ldm4j.checkpoint.DType;
import io.github.ldm4j.checkpoint.safetensors.SafetensorsWriter;
import io.github.ldm4j.checkpoint.sd.FullSizeCheckpointCommand;
import io.github.ldm4j.image.PngCodec;
import io.github.ldm4j.tensor.Tensor;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code serve --models-dir DIR --model NAME}: the packaged app hands the library to the extension and
 * the library checkpoint itself (not a converted folder) as the default model, so {@code <lora:NAME:W>}
 * in an OpenAI and an A1111 request merges a LoRA of {@code Lora/} into it: the image changes, both APIs
 * agree, {@code GET /sdapi/v1/loras} lists it, and the PNG names it in {@code Lora hashes}.
 */
class ServeLibraryIT {

  @TempDir Path work;

  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void promptLorasWorkThroughTheServedLibrary() throws Exception {
    Path models = work.resolve("models");
    Files.createDirectories(models.resolve("Stable-diffusion"));
    Files.createDirectories(models.resolve("Lora"));
    FullSizeCheckpointCommand.write(FullSizeCheckpointCommand.SMALL_SD1, models.resolve("Stable-diffusion/small.safetensors"),
        DType.F16, 7, new PrintStream(OutputStream.nullOutputStream()));
    Random r = new Random(11);
    SafetensorsWriter w = new SafetensorsWriter();
    w.add("lora_unet_mid_block_attentions_0_proj_in.lora_down.weight", random(r, 4, 64, 1, 1))
        .add("lora_unet_mid_block_attentions_0_proj_in.lora_up.weight", random(r, 64, 4, 1, 1))
        .add("lora_unet_mid_block_attentions_0_proj_in.alpha", Tensor.of(new float[] {4}, 1));
    w.write(models.resolve("Lora/L.safetensors"));

    try (ServeProcess serve = ServeProcess.start(work, List.of(), List.of("--models-dir", models.toString(), "--model", "small"))) {
      HttpClient http = HttpClient.newHttpClient();
      String plain = openAi(http, serve, "a fox");
      String tagged = openAi(http, serve, "a fox <lora:L:1>");
      PngCodec.Decoded p = PngCodec.decode(Base64.getDecoder().decode(tagged), Long.MAX_VALUE);
      assertThat(p.image()).isNotEqualTo(PngCodec.decode(Base64.getDecoder().decode(plain), Long.MAX_VALUE).image());
      assertThat(p.parameters().orElseThrow()).startsWith("a fox <lora:L:1>\n").contains("Model: small")
          .contains("Lora hashes: \"L: ");

      HttpResponse<String> a = post(http, serve, "/sdapi/v1/txt2img", "{\"prompt\":\"a fox\",\"width\":64,\"height\":64,"
          + "\"steps\":2,\"sampler_name\":\"Euler\",\"seed\":3,\"loras\":[{\"name\":\"L\",\"weight\":1}]}");
      assertThat(a.statusCode()).as(a.body()).isEqualTo(200);
      assertThat(PngCodec.decode(Base64.getDecoder().decode(JSON.readTree(a.body()).get("images").get(0).asText()),
          Long.MAX_VALUE).image()).isEqualTo(p.image());

      // the library name of the served checkpoint is the default model itself, not a second pipeline of the file
      HttpResponse<String> byName = post(http, serve, "/v1/images/generations", "{\"model\":\"small\",\"prompt\":\"a fox\","
          + "\"size\":\"64x64\",\"steps\":2,\"sampler\":\"euler\",\"seed\":3}");
      assertThat(byName.statusCode()).as(byName.body()).isEqualTo(200);
      assertThat(JSON.readTree(byName.body()).get("data").get(0).get("b64_json").asText()).isEqualTo(plain);
      JsonNode loaded = JSON.readTree(http.send(HttpRequest.newBuilder(URI.create(serve.base() + "/ldm4j/models")).build(),
          HttpResponse.BodyHandlers.ofString()).body()).get("loaded");
      assertThat(loaded).as("only the LoRA set was opened beside the default model").hasSize(1);
      assertThat(loaded.get(0).get("loras").get(0).asText()).endsWith("L.safetensors:1.0:1.0");

      JsonNode loras = JSON.readTree(http.send(HttpRequest.newBuilder(URI.create(serve.base() + "/sdapi/v1/loras")).build(),
          HttpResponse.BodyHandlers.ofString()).body());
      assertThat(loras.get(0).get("name").asText()).isEqualTo("L");
      assertThat(serve.terminate()).isZero();
    }
  }

  private static String openAi(HttpClient http, ServeProcess serve, String prompt) throws Exception {
    HttpResponse<String> r = post(http, serve, "/v1/images/generations", "{\"prompt\":" + JSON.writeValueAsString(prompt)
        + ",\"size\":\"64x64\",\"steps\":2,\"sampler\":\"euler\",\"seed\":3}");
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return JSON.readTree(r.body()).get("data").get(0).get("b64_json").asText();
  }

  private static HttpResponse<String> post(HttpClient http, ServeProcess serve, String path, String body) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create(serve.base() + path)).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
  }

  private static Tensor random(Random r, int... dims) {
    float[] v = new float[Arrays.stream(dims).reduce(1, (x, y) -> x * y)];
    for (int i = 0; i < v.length; i++) {
      v[i] = (float) (r.nextGaussian() * 0.5);
    }
    return Tensor.of(v, dims);
  }
}
