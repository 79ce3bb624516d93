package io.github.ldm4j.quarkus.deployment;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.ldm4j.image.PngCodec;
import io.quarkus.test.QuarkusUnitTest;
import io.quarkus.test.common.http.TestHTTPResource;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A checkpoint file as the default model and no model library: the PNGs still name the checkpoint
 * ({@code Model hash}, {@code Model}) as the CLI writes them; a LoRA tag or field is 400 saying that
 * there is no library; the listings are the configured model and nothing else.
 */
class NoLibraryTest {

  @RegisterExtension
  static final QuarkusUnitTest APP = new QuarkusUnitTest()
      .withApplicationRoot(jar -> jar.addClasses(TestModels.class, CheckpointModelTest.class))
      .overrideConfigKey("quarkus.ldm4j.model.path", CheckpointModelTest.checkpoint().toString());

  @TestHTTPResource("/") URI base;

  private static final ObjectMapper JSON = new ObjectMapper();

  private HttpResponse<String> post(String path, String body) throws Exception {
    return HttpClient.newHttpClient().send(HttpRequest.newBuilder(base.resolve(path)).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
  }

  private String get(String path) throws Exception {
    return HttpClient.newHttpClient().send(HttpRequest.newBuilder(base.resolve(path)).build(),
        HttpResponse.BodyHandlers.ofString()).body();
  }

  @Test
  void loraRequestsSayThereIsNoLibraryAndThePngNamesTheCheckpoint() throws Exception {
    HttpResponse<String> ok = post("/v1/images/generations", "{\"prompt\":\"a fox\",\"size\":\"64x64\",\"steps\":1,\"seed\":1}");
    assertThat(ok.statusCode()).as(ok.body()).isEqualTo(200);
    String params = PngCodec.decode(Base64.getDecoder().decode(JSON.readTree(ok.body()).get("data").get(0).get("b64_json")
        .asText()), Long.MAX_VALUE).parameters().orElseThrow();
    String hash = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
        .digest(Files.readAllBytes(CheckpointModelTest.checkpoint()))).substring(0, 10);
    assertThat(params).contains("Model hash: " + hash + ", Model: small-sd1");

    for (String body : new String[] {"{\"prompt\":\"a fox <lora:x:1>\",\"size\":\"64x64\"}",
        "{\"prompt\":\"a fox\",\"size\":\"64x64\",\"loras\":[{\"name\":\"x\",\"weight\":0.5}]}"}) {
      HttpResponse<String> r = post("/v1/images/generations", body);
      assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
      JsonNode e = JSON.readTree(r.body()).get("error");
      assertThat(e.get("message").asText()).contains("<lora:x> needs a LoRA folder: the server has no model library");
      assertThat(e.get("param").asText()).isIn("prompt", "loras");
    }

    JsonNode models = JSON.readTree(get("/sdapi/v1/sd-models"));
    assertThat(models).hasSize(1);
    assertThat(models.get(0).get("title").asText()).isEqualTo("default");
    assertThat(models.get(0).get("hash").asText()).isEqualTo(hash);
    assertThat(JSON.readTree(get("/sdapi/v1/loras"))).isEmpty();
    assertThat(JSON.readTree(get("/sdapi/v1/embeddings")).get("loaded")).isEmpty();
  }
}
