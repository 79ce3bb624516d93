package io.github.ldm4j.quarkus.deployment;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.ldm4j.checkpoint.DType;
import io.github.ldm4j.checkpoint.sd.FullSizeCheckpointCommand;
import io.github.ldm4j.checkpoint.sd.SmallSd1Lora;
import io.github.ldm4j.generate.Generator;
import io.github.ldm4j.image.PngCodec;
import io.github.ldm4j.image.RgbImage;
import io.github.ldm4j.quarkus.runtime.Ldm4jPipelines;
import io.quarkus.test.QuarkusUnitTest;
import io.quarkus.test.common.http.TestHTTPResource;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The model library through both HTTP APIs: a models directory in A1111's layout with a small seeded
 * SD 1.x checkpoint ({@code FullSizeCheckpointCommand.SMALL_SD1}) as {@code Stable-diffusion/small},
 * three kohya LoRAs of random weights for it ({@code Lora/L}, {@code M}, {@code N}: text encoder MLP,
 * UNet attention, a 1×1 conv), a VAE and an unreadable embedding file (listed as skipped; {@code EmbeddingsApiTest} uses real ones). The default model is the
 * 128 px shapes folder, so the library checkpoint is selected by name. At most two pipelines stay
 * open ({@code cache.max-pipelines=2}) and two generations run at once. Expected hashes are computed
 * here with the JDK's SHA-256 over the files' bytes.
 */
class ModelLibraryApiTest {

  static final Path DIR = Path.of("target", "test-models", "library-api").toAbsolutePath();

  @RegisterExtension
  static final QuarkusUnitTest APP = new QuarkusUnitTest()
      .withApplicationRoot(jar -> jar.addClass(TestModels.class))
      .overrideConfigKey("quarkus.ldm4j.model.path", TestModels.shapes128())
      .overrideConfigKey("quarkus.ldm4j.library.models-dir", models().toString())
      .overrideConfigKey("quarkus.ldm4j.cache.max-pipelines", "2")
      .overrideConfigKey("quarkus.ldm4j.limits.concurrent-generations", "2");

  @TestHTTPResource("/") URI base;

  @Inject Ldm4jPipelines pipelines;

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient CLIENT = HttpClient.newHttpClient();

  /** The models directory, written once; the ldm4j home (conversion cache, hashes) beside it. */
  static synchronized Path models() {
    System.setProperty("ldm4j.home", DIR.resolve("ldm4j-home").toString());
    Path models = DIR.resolve("models");
    try {
      Path ckpt = models.resolve("Stable-diffusion/small.safetensors");
      if (!Files.isRegularFile(ckpt)) {
        Files.createDirectories(ckpt.getParent());
        FullSizeCheckpointCommand.write(FullSizeCheckpointCommand.SMALL_SD1, ckpt, DType.F16, 7,
            new PrintStream(OutputStream.nullOutputStream()));
        Files.createDirectories(models.resolve("Lora"));
        lora(models.resolve("Lora/L.safetensors"), 11, Map.of("ss_output_name", "el"));
        lora(models.resolve("Lora/M.safetensors"), 12, Map.of());
        lora(models.resolve("Lora/N.safetensors"), 13, Map.of());
        Files.createDirectories(models.resolve("VAE"));
        Files.write(models.resolve("VAE/v.safetensors"), new byte[16]);
        Files.createDirectories(models.resolve("embeddings"));
        Files.write(models.resolve("embeddings/emb.pt"), new byte[16]);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return models;
  }

  private static void lora(Path file, long seed, Map<String, String> metadata) throws IOException {
    SmallSd1Lora.write(file, seed, metadata);
  }



  private HttpResponse<String> get(String path) throws Exception {
    return CLIENT.send(HttpRequest.newBuilder(base.resolve(path)).GET().build(), HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> post(String path, String body) throws Exception {
    return CLIENT.send(HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofMinutes(3))
        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /** An OpenAI generation of the library checkpoint {@code small}: 64×64, 2 Euler steps, seed 5. */
  private PngCodec.Decoded openAi(String prompt, String extra) throws Exception {
    HttpResponse<String> r = post("/v1/images/generations", "{\"model\":\"small\",\"prompt\":" + JSON.writeValueAsString(prompt)
        + ",\"size\":\"64x64\",\"steps\":2,\"sampler\":\"euler\",\"seed\":5" + extra + "}");
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return png(JSON.readTree(r.body()).get("data").get(0).get("b64_json").asText());
  }

  private static PngCodec.Decoded png(String b64) {
    return PngCodec.decode(Base64.getDecoder().decode(b64), Long.MAX_VALUE);
  }

  private JsonNode error(HttpResponse<String> r, int status) throws IOException {
    assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
    return JSON.readTree(r.body()).get("error");
  }

  private static String sha256(byte[] b) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
  }

  @Test
  void theLibraryIsListedInA1111sShapes() throws Exception {
    JsonNode models = JSON.readTree(get("/sdapi/v1/sd-models").body());
    JsonNode small = null;
    for (JsonNode m : models) {
      if (m.get("model_name").asText().equals("small")) {
        small = m;
      }
    }
    assertThat(small).as(models.toString()).isNotNull();
    assertThat(small.get("title").asText()).startsWith("small.safetensors");
    assertThat(small.get("filename").asText()).endsWith("Stable-diffusion/small.safetensors".replace('/', java.io.File.separatorChar));
    assertThat(small.has("sha256")).isTrue();
    assertThat(small.has("config")).isTrue();

    JsonNode loras = JSON.readTree(get("/sdapi/v1/loras").body());
    assertThat(loras).hasSize(3);
    assertThat(loras.get(0).get("name").asText()).isEqualTo("L");
    assertThat(loras.get(0).get("alias").asText()).isEqualTo("el");
    assertThat(loras.get(0).get("metadata").get("ss_output_name").asText()).isEqualTo("el");
    assertThat(loras.get(1).get("alias").asText()).isEqualTo("M");
    assertThat(loras.get(0).get("path").asText()).endsWith("L.safetensors");

    JsonNode vae = JSON.readTree(get("/sdapi/v1/sd-vae").body());
    assertThat(vae).hasSize(1);
    assertThat(vae.get(0).get("model_name").asText()).isEqualTo("v.safetensors");

    JsonNode emb = JSON.readTree(get("/sdapi/v1/embeddings").body());
    assertThat(emb.get("loaded").size()).as("emb.pt holds no embedding").isZero();
    assertThat(emb.get("skipped").get("emb").get("shape").isNull()).isTrue();

    for (String kind : List.of("checkpoints", "vae", "loras", "embeddings")) {
      assertThat(post("/sdapi/v1/refresh-" + kind, "").statusCode()).as(kind).isIn(200, 204);
    }
  }

  @Test
  void promptTagsAndTheLorasFieldSelectLorasAndThePngCarriesTheHashes() throws Exception {
    PngCodec.Decoded base = openAi("a fox", "");
    PngCodec.Decoded tagged = openAi("a fox <lora:L:1>", "");
    PngCodec.Decoded field = openAi("a fox", ",\"loras\":[{\"name\":\"L\",\"weight\":1}]");
    PngCodec.Decoded split = openAi("a fox", ",\"loras\":[{\"name\":\"L\",\"te_weight\":1,\"unet_weight\":1}]");
    PngCodec.Decoded zero = openAi("a fox <lora:L:0>", "");

    assertThat(tagged.image()).as("weight 1 changes the image").isNotEqualTo(base.image());
    assertThat(field.image()).as("the loras field is the tag").isEqualTo(tagged.image());
    assertThat(split.image()).isEqualTo(tagged.image());
    assertThat(zero.image()).as("weight 0 is the checkpoint alone").isEqualTo(base.image());

    Path ckpt = models().resolve("Stable-diffusion/small.safetensors");
    byte[] lora = Files.readAllBytes(models().resolve("Lora/L.safetensors"));
    long header = ByteBuffer.wrap(lora, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
    String addnet = sha256(Arrays.copyOfRange(lora, (int) (8 + header), lora.length)).substring(0, 12);
    String modelHash = sha256(Files.readAllBytes(ckpt)).substring(0, 10);
    assertThat(tagged.parameters().orElseThrow()).startsWith("a fox <lora:L:1>\n")
        .contains("Model hash: " + modelHash + ", Model: small, ").contains("Lora hashes: \"L: " + addnet + "\"");
    assertThat(field.parameters().orElseThrow()).startsWith("a fox\n").contains("Lora hashes: \"L: " + addnet + "\"");
    assertThat(base.parameters().orElseThrow()).contains("Model hash: " + modelHash).doesNotContain("Lora hashes");

    // the hash is known now: sd-models titles the checkpoint with it, as A1111
    assertThat(get("/sdapi/v1/sd-models").body()).contains("\"title\":\"small.safetensors [" + modelHash + "]\"");

    // A1111: the active checkpoint is switched through the options, then txt2img reads the tag the same way
    HttpResponse<String> set = post("/sdapi/v1/options", "{\"sd_model_checkpoint\":\"small.safetensors [" + modelHash + "]\"}");
    assertThat(set.statusCode()).as(set.body()).isEqualTo(200);
    try {
      JsonNode options = JSON.readTree(get("/sdapi/v1/options").body());
      assertThat(options.get("sd_model_checkpoint").asText()).isEqualTo("small.safetensors [" + modelHash + "]");
      assertThat(options.get("sd_checkpoint_hash").asText()).startsWith(modelHash).hasSize(64);
      assertThat(options.get("sd_vae").asText()).isEqualTo("Automatic");
      HttpResponse<String> a = post("/sdapi/v1/txt2img", "{\"prompt\":\"a fox <lora:L:1>\",\"width\":64,\"height\":64,"
          + "\"steps\":2,\"sampler_name\":\"Euler\",\"seed\":5}");
      assertThat(a.statusCode()).as(a.body()).isEqualTo(200);
      PngCodec.Decoded viaA1111 = png(JSON.readTree(a.body()).get("images").get(0).asText());
      assertThat(viaA1111.image()).isEqualTo(tagged.image());
      assertThat(viaA1111.parameters().orElseThrow()).contains("Lora hashes: \"L: " + addnet + "\"");
    } finally {
      assertThat(post("/sdapi/v1/options", "{\"sd_model_checkpoint\":\"default\"}").statusCode()).isEqualTo(200);
    }
    // A1111's per-request override_settings: the library checkpoint for this request only
    HttpResponse<String> o = post("/sdapi/v1/txt2img", "{\"prompt\":\"a fox\",\"width\":64,\"height\":64,\"steps\":2,"
        + "\"sampler_name\":\"Euler\",\"seed\":5,\"override_settings\":{\"sd_model_checkpoint\":\"small\"},"
        + "\"loras\":[{\"name\":\"L\",\"weight\":1}]}");
    assertThat(o.statusCode()).as(o.body()).isEqualTo(200);
    assertThat(png(JSON.readTree(o.body()).get("images").get(0).asText()).image()).isEqualTo(tagged.image());
    assertThat(JSON.readTree(get("/sdapi/v1/options").body()).get("sd_model_checkpoint").asText()).isEqualTo("default");
  }

  @Test
  void badLoraRequestsAre400NamingTheProblem() throws Exception {
    String body = "{\"model\":\"small\",\"size\":\"64x64\",\"steps\":1,";
    JsonNode e = error(post("/v1/images/generations", body + "\"prompt\":\"a fox <lora:nope:1>\"}"), 400);
    assertThat(e.get("param").asText()).isEqualTo("prompt");
    assertThat(e.get("message").asText()).contains("no LoRA 'nope'").contains("L, M, N").doesNotContain(DIR.toString());

    e = error(post("/v1/images/generations", body + "\"prompt\":\"a fox\",\"loras\":[{\"name\":\"nope\"}]}"), 400);
    assertThat(e.get("param").asText()).isEqualTo("loras");

    e = error(post("/v1/images/generations", body + "\"prompt\":\"a fox\",\"loras\":[{\"name\":\"L\",\"wieght\":1}]}"), 400);
    assertThat(e.get("param").asText()).isEqualTo("loras");
    assertThat(e.get("message").asText()).contains("unknown field 'wieght'");

    e = error(post("/v1/images/generations", body + "\"prompt\":\"a fox\",\"loras\":[{\"name\":\"L\",\"weight\":\"1\"}]}"), 400);
    assertThat(e.get("param").asText()).isEqualTo("loras");
    assertThat(e.get("message").asText()).contains("'weight' must be a number");

    e = error(post("/v1/images/generations", body + "\"prompt\":\"a fox <lora:L:1>\",\"loras\":[{\"name\":\"L\"}]}"), 400);
    assertThat(e.get("message").asText()).contains("given twice");

    e = error(post("/v1/images/generations", body + "\"prompt\":\"a fox\",\"negative_prompt\":\"<lora:L:1>\"}"), 400);
    assertThat(e.get("param").asText()).isEqualTo("negative_prompt");

    e = error(post("/v1/images/generations", body + "\"prompt\":\"a fox <hypernet:h:1>\"}"), 400);
    assertThat(e.get("param").asText()).isEqualTo("prompt");
    assertThat(e.get("message").asText()).contains("unsupported extra network <hypernet:h:1>");

    e = error(post("/v1/images/generations", "{\"prompt\":\"a fox <lora:L:1>\",\"size\":\"128x128\",\"steps\":1}"), 400);
    assertThat(e.get("message").asText()).contains("model 'default' is a model folder, not a checkpoint file");

    e = error(post("/v1/images/generations", "{\"model\":\"nope\",\"prompt\":\"a fox\"}"), 404);
    assertThat(e.get("code").asText()).isEqualTo("model_not_found");
    assertThat(e.get("message").asText()).contains("small");

    e = error(post("/sdapi/v1/txt2img", "{\"prompt\":\"a fox <lora:nope:1>\",\"width\":128,\"height\":128,\"steps\":1}"), 400);
    assertThat(e.get("param").asText()).isEqualTo("prompt");

    // per-request CLIP skip is applied (1-12, as A1111's option); out of range or not an integer: 400
    e = error(post("/sdapi/v1/txt2img", "{\"prompt\":\"a fox\",\"override_settings\":{\"CLIP_stop_at_last_layers\":13}}"), 400);
    assertThat(e.get("param").asText()).isEqualTo("override_settings");
    assertThat(e.get("message").asText()).contains("CLIP_stop_at_last_layers");
    e = error(post("/sdapi/v1/txt2img", "{\"prompt\":\"a fox\",\"override_settings\":{\"CLIP_stop_at_last_layers\":\"2\"}}"), 400);
    assertThat(e.get("param").asText()).isEqualTo("override_settings");
    e = error(post("/sdapi/v1/txt2img", "{\"prompt\":\"a fox\",\"override_settings\":{\"sd_model_checkpoint\":\"nope\"}}"), 404);
    assertThat(e.get("code").asText()).isEqualTo("model_not_found");

    e = error(post("/sdapi/v1/options", "{\"sd_model_checkpoint\":\"nope\"}"), 400);
    assertThat(e.get("param").asText()).isEqualTo("sd_model_checkpoint");
    e = error(post("/sdapi/v1/options", "{\"CLIP_stop_at_last_layers\":\"2\"}"), 400);
    assertThat(e.get("param").asText()).isEqualTo("CLIP_stop_at_last_layers");
    e = error(post("/sdapi/v1/options", "{\"CLIP_stop_at_last_layers\":0}"), 400);
    assertThat(e.get("param").asText()).isEqualTo("CLIP_stop_at_last_layers");
    e = error(post("/sdapi/v1/options", "{\"sd_vae\":\"nope.safetensors\"}"), 400);
    assertThat(e.get("param").asText()).isEqualTo("sd_vae");
  }

  @Test
  void concurrentRequestsWithDifferentLoraSetsEachGetTheirOwnImage() throws Exception {
    RgbImage l = openAi("a fox <lora:L:1>", "").image();
    RgbImage m = openAi("a fox <lora:M:1>", "").image();
    assertThat(l).isNotEqualTo(m);
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<RgbImage>> ls = new ArrayList<>();
      List<Future<RgbImage>> ms = new ArrayList<>();
      for (int i = 0; i < 2; i++) {
        ls.add(pool.submit(() -> openAi("a fox <lora:L:1>", "").image()));
        ms.add(pool.submit(() -> openAi("a fox <lora:M:1>", "").image()));
      }
      for (Future<RgbImage> f : ls) {
        assertThat(f.get(3, TimeUnit.MINUTES)).isEqualTo(l);
      }
      for (Future<RgbImage> f : ms) {
        assertThat(f.get(3, TimeUnit.MINUTES)).isEqualTo(m);
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void alternatingSetsThatFitAreNotReloadedAndEvictionClosesThePipeline() throws Exception {
    openAi("a fox <lora:L:1>", "");
    openAi("a fox <lora:M:1>", "");
    long loads = pipelines.cache().loads();
    for (int i = 0; i < 2; i++) {
      openAi("a fox <lora:L:1>", "");
      openAi("a fox <lora:M:1>", "");
    }
    assertThat(pipelines.cache().loads()).as("L and M fit the cache of two").isEqualTo(loads);

    Generator lGenerator = generatorWith("L.safetensors");
    Generator mGenerator = generatorWith("M.safetensors");
    openAi("a fox <lora:N:1>", ""); // a third set: L, the least recently used, is closed
    assertThat(pipelines.cache().loads()).isEqualTo(loads + 1);
    assertThat(lGenerator.model().isClosed()).isTrue();
    assertThat(mGenerator.model().isClosed()).isFalse();
    assertThat(pipelines.cache().keys()).hasSize(2);
  }

  private Generator generatorWith(String loraFile) {
    return pipelines.cache().values().entrySet().stream()
        .filter(e -> e.getKey().loras().loras().size() == 1
            && e.getKey().loras().loras().getFirst().file().getFileName().toString().equals(loraFile))
        .map(Map.Entry::getValue).findFirst().orElseThrow(() -> new AssertionError("no pipeline with " + loraFile
            + " in " + pipelines.cache().keys()));
  }
}
