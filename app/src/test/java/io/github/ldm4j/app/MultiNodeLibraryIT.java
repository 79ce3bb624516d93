package io.github.ldm4j.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.ldm4j.checkpoint.DType;
import io.github.ldm4j.checkpoint.safetensors.SafetensorsWriter;
import io.github.ldm4j.checkpoint.sd.FullSizeCheckpointCommand;
import io.github.ldm4j.image.PngCodec;
import io.github.ldm4j.queue.testsupport.RedisServer;
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
 * LoRAs and VAE overrides carried to a worker: an API node without models ({@code serve --queue URL
 * --no-models}) and a worker ({@code worker --redis URL --models-dir DIR --model small}) answer a
 * request with {@code <lora:L:1>} in the prompt, or in A1111's {@code loras}, with the very bytes
 * (pixels and parameters: model, LoRA hashes) a local {@code serve --models-dir DIR --model small}
 * answers; a LoRA or a VAE the worker's library lacks is a 400 naming it, at once (not retried, not
 * dead-lettered).
 */
class MultiNodeLibraryIT {

  @TempDir Path work;

  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void aWorkerAppliesTheLibrarysLorasAsALocalNodeDoes() throws Exception {
    System.setProperty("ldm4j.home", AppProcess.home().toString());
    Path models = work.resolve("models");
    Files.createDirectories(models.resolve("Stable-diffusion"));
    Files.createDirectories(models.resolve("Lora"));
    FullSizeCheckpointCommand.write(FullSizeCheckpointCommand.SMALL_SD1, models.resolve("Stable-diffusion/small.safetensors"),
        DType.F16, 7, new PrintStream(OutputStream.nullOutputStream()));
    Random r = new Random(11);
    new SafetensorsWriter()
        .add("lora_unet_mid_block_attentions_0_proj_in.lora_down.weight", random(r, 4, 64, 1, 1))
        .add("lora_unet_mid_block_attentions_0_proj_in.lora_up.weight", random(r, 64, 4, 1, 1))
        .add("lora_unet_mid_block_attentions_0_proj_in.alpha", Tensor.of(new float[] {4}, 1))
        .write(models.resolve("Lora/L.safetensors"));
    List<String> library = List.of("--models-dir", models.toString(), "--model", "small");
    HttpClient http = HttpClient.newHttpClient();
    try (RedisServer redis = RedisServer.start();
        ServeProcess local = ServeProcess.start(work, List.of(), library);
        ServeProcess api = ServeProcess.start(work, List.of(), List.of("--queue", redis.url(), "--no-models"));
        WorkerProcess worker = WorkerProcess.start(work, List.of(), redis.url(), 1, library)) {
      String tagged = "{\"prompt\":\"a fox <lora:L:1>\",\"size\":\"64x64\",\"steps\":2,\"sampler\":\"euler\",\"seed\":3}";
      String viaQueue = b64(post(http, api, "/v1/images/generations", tagged), "data", "b64_json");
      String viaLocal = b64(post(http, local, "/v1/images/generations", tagged), "data", "b64_json");
      assertThat(viaQueue).as("the worker's PNG, parameters included, is the local node's").isEqualTo(viaLocal);
      String parameters = PngCodec.decode(Base64.getDecoder().decode(viaQueue), Long.MAX_VALUE).parameters().orElseThrow();
      assertThat(parameters).startsWith("a fox <lora:L:1>\n").contains("Model: small").contains("Lora hashes: \"L: ");

      String a1111 = "{\"prompt\":\"a fox\",\"width\":64,\"height\":64,\"steps\":2,\"sampler_name\":\"Euler\",\"seed\":3,"
          + "\"loras\":[{\"name\":\"L\",\"weight\":0.5}]}";
      assertThat(b64(post(http, api, "/sdapi/v1/txt2img", a1111), "images", null))
          .isEqualTo(b64(post(http, local, "/sdapi/v1/txt2img", a1111), "images", null));

      HttpResponse<String> missing = post(http, api, "/v1/images/generations",
          "{\"prompt\":\"a fox <lora:Missing:1>\",\"size\":\"64x64\",\"steps\":2,\"seed\":3}");
      assertThat(missing.statusCode()).as(missing.body()).isEqualTo(400);
      assertThat(JSON.readTree(missing.body()).get("error").get("message").asText()).contains("Missing")
          .doesNotContain(models.toString());
      HttpResponse<String> vae = post(http, api, "/sdapi/v1/txt2img", "{\"prompt\":\"a fox\",\"width\":64,\"height\":64,"
          + "\"steps\":2,\"seed\":3,\"override_settings\":{\"sd_vae\":\"NoSuchVae\"}}");
      assertThat(vae.statusCode()).as(vae.body()).isEqualTo(400);
      assertThat(vae.body()).contains("NoSuchVae");
      System.out.printf("MultiNodeLibraryIT: LoRA job through the queue = local bytes (%d base64 chars); missing LoRA:"
          + " %d %s%n", viaQueue.length(), missing.statusCode(), JSON.readTree(missing.body()).get("error").get("message"));
    }
  }

  private static String b64(HttpResponse<String> r, String array, String field) throws Exception {
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    JsonNode first = JSON.readTree(r.body()).get(array).get(0);
    return field == null ? first.asText() : first.get(field).asText();
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
