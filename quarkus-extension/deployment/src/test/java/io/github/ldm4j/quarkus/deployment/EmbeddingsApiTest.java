package io.github.ldm4j.quarkus.deployment;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.ldm4j.checkpoint.embedding.EmbeddingFiles;
import io.github.ldm4j.checkpoint.safetensors.SafetensorsWriter;
import io.github.ldm4j.generate.GenerationLimits;
import io.github.ldm4j.generate.GenerationRequest;
import io.github.ldm4j.generate.Generator;
import io.github.ldm4j.image.PngCodec;
import io.github.ldm4j.quarkus.runtime.Ldm4jPipelines;
import io.github.ldm4j.quarkus.runtime.rest.Generations;
import io.github.ldm4j.spi.BackendOptions;
import io.github.ldm4j.tensor.Tensor;
import io.quarkus.test.QuarkusUnitTest;
import io.quarkus.test.common.http.TestHTTPResource;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Textual-inversion embeddings through both HTTP APIs. The default (configured) model is {@code
 * ModelLibraryApiTest}'s small seeded SD 1.x checkpoint (CLIP's full vocabulary, text width 64) — the
 * same file as the library's {@code Stable-diffusion/small}, and the same conversion cache — and the
 * embeddings folder holds, written here with random vectors (seeded): {@code myemb} (A1111 safetensors
 * {@code emb_params}, 3 vectors of width 64), {@code wide} (2 vectors of width 1024: an SD 2.x
 * embedding) and {@code broken.pt} (not an embedding file). Expected TI hashes are computed here with
 * the JDK's SHA-256 over the files' bytes. The refresh test runs last: it adds a file.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class EmbeddingsApiTest {

  static final Path DIR = Path.of("target", "test-models", "embeddings-api").toAbsolutePath();
  static final Path EMBEDDINGS = DIR.resolve("embeddings");

  @RegisterExtension
  static final QuarkusUnitTest APP = new QuarkusUnitTest()
      .withApplicationRoot(jar -> jar.addClasses(TestModels.class, ModelLibraryApiTest.class))
      .overrideConfigKey("quarkus.ldm4j.model.path", checkpoint().toString())
      .overrideConfigKey("quarkus.ldm4j.library.models-dir", ModelLibraryApiTest.models().toString())
      .overrideConfigKey("quarkus.ldm4j.library.embeddings-dir", embeddings().toString());

  @TestHTTPResource("/") URI base;

  @Inject Ldm4jPipelines pipelines;
  @Inject Generations generations;

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient CLIENT = HttpClient.newHttpClient();

  static Path checkpoint() {
    return ModelLibraryApiTest.models().resolve("Stable-diffusion/small.safetensors");
  }

  /** The embeddings folder, written afresh (the refresh test adds a file to it). */
  static synchronized Path embeddings() {
    Path dir = EMBEDDINGS;
    try {
      Files.createDirectories(dir);
      Files.deleteIfExists(dir.resolve("late.safetensors"));
      embedding(dir.resolve("myemb.safetensors"), 3, 64, 21);
      embedding(dir.resolve("wide.safetensors"), 2, 1024, 22);
      Files.write(dir.resolve("broken.pt"), new byte[] {1, 2, 3, 4, 5, 6, 7, 8});
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return dir;
  }

  private static void embedding(Path file, int k, int width, long seed) throws IOException {
    Random r = new Random(seed);
    float[] v = new float[k * width];
    for (int i = 0; i < v.length; i++) {
      v[i] = (float) (r.nextGaussian() * 0.5);
    }
    new SafetensorsWriter().add("emb_params", Tensor.of(v, k, width)).write(file);
  }

  private HttpResponse<String> get(String path) throws Exception {
    return CLIENT.send(HttpRequest.newBuilder(base.resolve(path)).GET().build(), HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> post(String path, String body) throws Exception {
    return CLIENT.send(HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofMinutes(3))
        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /** An OpenAI generation of the default model: 64×64, 2 Euler steps, seed 5. */
  private PngCodec.Decoded openAi(String prompt, String extra) throws Exception {
    HttpResponse<String> r = post("/v1/images/generations", openAiBody(prompt, extra));
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return png(JSON.readTree(r.body()).get("data").get(0).get("b64_json").asText());
  }

  private static String openAiBody(String prompt, String extra) throws IOException {
    return "{\"prompt\":" + JSON.writeValueAsString(prompt) + ",\"size\":\"64x64\",\"steps\":2,\"sampler\":\"euler\","
        + "\"seed\":5" + extra + "}";
  }

  /** An A1111 txt2img of the default model with the same settings. */
  private PngCodec.Decoded txt2img(String prompt, String negative) throws Exception {
    HttpResponse<String> r = post("/sdapi/v1/txt2img", a1111Body(prompt, negative));
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return png(JSON.readTree(r.body()).get("images").get(0).asText());
  }

  private static String a1111Body(String prompt, String negative) throws IOException {
    return "{\"prompt\":" + JSON.writeValueAsString(prompt) + ",\"negative_prompt\":" + JSON.writeValueAsString(negative)
        + ",\"width\":64,\"height\":64,\"steps\":2,\"sampler_name\":\"Euler\",\"seed\":5}";
  }

  private static PngCodec.Decoded png(String b64) {
    return PngCodec.decode(Base64.getDecoder().decode(b64), Long.MAX_VALUE);
  }

  private static String tiHash(Path file) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file))).substring(0, 12);
  }

  @Test
  @Order(1)
  void anEmbeddingInThePromptUsesItsVectorsAsTheLibraryDoesAndThePngCarriesItsTiHash() throws Exception {
    PngCodec.Decoded ti = openAi("a fox, myemb", "");
    PngCodec.Decoded plain = openAi("a fox", "");
    assertThat(ti.image()).isNotEqualTo(plain.image());

    // the library, opened on the same checkpoint with the embedding, gives the same image for the same
    // request; opened without it (the name is then plain text), another one
    var settings = generations.settings("sampler", "guidance_scale",
        new Generations.SettingsFields(64, 64, 1, 2, "euler", null, null, 5));
    var request = new GenerationRequest.TextToImage("a fox, myemb", "", settings);
    try (Generator library = Generator.open(checkpoint(), "onnx", BackendOptions.DEFAULTS, GenerationLimits.DEFAULTS,
        List.of(EmbeddingFiles.read(EMBEDDINGS.resolve("myemb.safetensors"))))) {
      assertThat(ti.image()).isEqualTo(PngCodec.decode(library.generate(request).images().getFirst().png(),
          Long.MAX_VALUE).image());
    }
    try (Generator word = Generator.open(checkpoint(), "onnx", BackendOptions.DEFAULTS, GenerationLimits.DEFAULTS)) {
      assertThat(ti.image()).as("the embedding's vectors are not the word's tokens")
          .isNotEqualTo(PngCodec.decode(word.generate(request).images().getFirst().png(), Long.MAX_VALUE).image());
    }

    String hash = tiHash(EMBEDDINGS.resolve("myemb.safetensors"));
    assertThat(ti.parameters().orElseThrow()).startsWith("a fox, myemb\n")
        .contains(", TI hashes: \"myemb: " + hash + "\", ");
    assertThat(plain.parameters().orElseThrow()).doesNotContain("TI hashes");

    // A1111: the same image for the same settings, and the negative prompt takes embeddings too
    PngCodec.Decoded a = txt2img("a fox, myemb", "");
    assertThat(a.image()).isEqualTo(ti.image());
    assertThat(a.parameters().orElseThrow()).contains("TI hashes: \"myemb: " + hash + "\"");
    PngCodec.Decoded neg = txt2img("a fox", "(myemb:1.3)");
    assertThat(neg.image()).isNotEqualTo(txt2img("a fox", "").image());
    assertThat(neg.parameters().orElseThrow()).contains("TI hashes: \"myemb: " + hash + "\"");

    // the library checkpoint by name gets the embeddings as well (a pipeline of the cache)
    PngCodec.Decoded byName = openAi("a fox, myemb", ",\"model\":\"small\"");
    assertThat(byName.image()).isEqualTo(ti.image());
    assertThat(byName.parameters().orElseThrow()).contains("TI hashes: \"myemb: " + hash + "\"");
  }

  @Test
  @Order(2)
  void theListingHasA1111sShapeAndSkipsWhatTheActiveModelCannotUse() throws Exception {
    HttpResponse<String> r = get("/sdapi/v1/embeddings");
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    JsonNode body = JSON.readTree(r.body());
    assertThat(body.get("loaded").has("myemb")).as(r.body()).isTrue();
    JsonNode my = body.get("loaded").get("myemb");
    assertThat(my.get("shape").asInt()).isEqualTo(64);
    assertThat(my.get("vectors").asInt()).isEqualTo(3);
    assertThat(my.has("step")).isTrue();
    assertThat(my.has("sd_checkpoint")).isTrue();
    assertThat(my.has("sd_checkpoint_name")).isTrue();
    JsonNode wide = body.get("skipped").get("wide");
    assertThat(wide).as(r.body()).isNotNull();
    assertThat(wide.get("shape").asInt()).isEqualTo(1024);
    assertThat(wide.get("vectors").asInt()).isEqualTo(2);
    assertThat(body.get("skipped").get("broken").get("shape").isNull()).as(r.body()).isTrue();
    assertThat(body.get("loaded").has("wide")).isFalse();
    assertThat(body.get("loaded").has("broken")).isFalse();
  }

  @Test
  @Order(3)
  void anEmbeddingThatCannotBeUsedIs400NamingItAndWhy() throws Exception {
    for (HttpResponse<String> r : List.of(post("/v1/images/generations", openAiBody("a fox, wide", "")),
        post("/sdapi/v1/txt2img", a1111Body("a fox, wide", "")))) {
      assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
      JsonNode e = JSON.readTree(r.body()).get("error");
      assertThat(e.get("param").asText()).isEqualTo("prompt");
      assertThat(e.get("message").asText()).contains("wide").contains("1024").contains("64")
          .doesNotContain(DIR.toString());
    }
    HttpResponse<String> r = post("/sdapi/v1/txt2img", a1111Body("a fox", "wide"));
    assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
    assertThat(JSON.readTree(r.body()).get("error").get("message").asText()).contains("wide");
  }

  @Test
  @Order(4)
  void refreshReadsTheFolderAgain() throws Exception {
    PngCodec.Decoded before = openAi("a fox, late", "");
    assertThat(JSON.readTree(get("/sdapi/v1/embeddings").body()).get("loaded").has("late")).isFalse();
    long loads = pipelines.cache().loads();
    assertThat(post("/sdapi/v1/refresh-embeddings", "").statusCode()).isIn(200, 204);
    assertThat(pipelines.cache().loads()).as("nothing changed: nothing reloaded").isEqualTo(loads);
    assertThat(openAi("a fox, late", "").image()).isEqualTo(before.image());

    embedding(EMBEDDINGS.resolve("late.safetensors"), 1, 64, 23);
    assertThat(openAi("a fox, late", "").image()).as("read once per refresh, not per request").isEqualTo(before.image());
    assertThat(post("/sdapi/v1/refresh-embeddings", "").statusCode()).isIn(200, 204);

    PngCodec.Decoded after = openAi("a fox, late", "");
    assertThat(after.image()).isNotEqualTo(before.image());
    assertThat(after.parameters().orElseThrow()).contains("TI hashes: \"late: " + tiHash(EMBEDDINGS.resolve("late.safetensors")) + "\"");
    JsonNode listed = JSON.readTree(get("/sdapi/v1/embeddings").body());
    assertThat(listed.get("loaded").get("late").get("vectors").asInt()).isEqualTo(1);
    assertThat(listed.get("skipped").has("wide")).isTrue();
    // the embeddings read before the refresh still work on the new pipeline
    assertThat(openAi("a fox, myemb", "").parameters().orElseThrow()).contains("TI hashes: \"myemb: ");
  }
}
