package io.github.ldm4j.quarkus.deployment;

import static io.github.ldm4j.quarkus.deployment.OpenAiHttp.send;
import static io.github.ldm4j.quarkus.deployment.OpenAiHttp.text;
import static io.github.ldm4j.quarkus.deployment.OpenAiHttp.tree;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.test.QuarkusUnitTest;
import io.quarkus.test.common.http.TestHTTPResource;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code GET /v1/models} and {@code /v1/models/{id}}: exactly what the images endpoints' {@code model}
 * takes — two configured models, a library checkpoint in a sub-folder, OpenAI's usual ids — in
 * OpenAI's shape; an unknown id is 404 with the OpenAI body, and a listed id generates.
 */
class OpenAiModelsTest {

  static final Path MODELS = Path.of("target", "test-models", "openai-models").toAbsolutePath();

  @RegisterExtension
  static final QuarkusUnitTest APP = new QuarkusUnitTest()
      .withApplicationRoot(jar -> jar.addClasses(TestModels.class, OpenAiHttp.class, CheckpointModelTest.class))
      .overrideConfigKey("quarkus.http.test-port", "0") // a free port: other builds may hold 8081
      .overrideConfigKey("quarkus.ldm4j.model.path", TestModels.shapes128())
      .overrideConfigKey("quarkus.ldm4j.models.\"second\".path", TestModels.shapes128())
      .overrideConfigKey("quarkus.ldm4j.library.models-dir", library().toString());

  @TestHTTPResource("/") URI base;

  /** A models directory holding the small SD 1.x checkpoint as {@code Stable-diffusion/sub/tiny}. */
  static synchronized Path library() {
    Path ckpt = MODELS.resolve("Stable-diffusion/sub/tiny.safetensors");
    try {
      if (!Files.isRegularFile(ckpt)) {
        Files.createDirectories(ckpt.getParent());
        Files.copy(CheckpointModelTest.checkpoint(), ckpt, StandardCopyOption.REPLACE_EXISTING);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return MODELS;
  }

  private HttpResponse<byte[]> get(String path) {
    return send(HttpRequest.newBuilder(base.resolve(path)).GET());
  }

  @Test
  void theListIsWhatModelTakes() throws Exception {
    HttpResponse<byte[]> r = get("/v1/models");
    assertThat(r.statusCode()).as(text(r)).isEqualTo(200);
    JsonNode list = tree(r);
    assertThat(list.get("object").asText()).isEqualTo("list");
    List<String> ids = new ArrayList<>();
    for (JsonNode m : list.get("data")) {
      ids.add(m.get("id").asText());
      assertThat(m.get("object").asText()).isEqualTo("model");
      assertThat(m.get("owned_by").asText()).isEqualTo("ldm4j");
      assertThat(m.get("created").asLong()).isPositive();
    }
    assertThat(ids).containsExactly("default", "second", "sub/tiny", "dall-e-2", "dall-e-3", "gpt-image-1");
    JsonNode tiny = list.get("data").get(2);
    assertThat(tiny.get("created").asLong())
        .isEqualTo(Files.getLastModifiedTime(MODELS.resolve("Stable-diffusion/sub/tiny.safetensors")).toMillis() / 1000);

    for (String id : ids) {
      HttpResponse<byte[]> one = get("/v1/models/" + id);
      assertThat(one.statusCode()).as(id + ": " + text(one)).isEqualTo(200);
      assertThat(tree(one).get("id").asText()).isEqualTo(id);
      assertThat(tree(one).get("object").asText()).isEqualTo("model");
    }
    // also taken, not listed: a bare library name, any dall-e-* id
    assertThat(get("/v1/models/tiny").statusCode()).isEqualTo(200);
    assertThat(get("/v1/models/dall-e-9").statusCode()).isEqualTo(200);
  }

  @Test
  void anUnknownIdIs404WithTheOpenAiBody() {
    for (String id : new String[] {"nope", "sub/nope", "..%2F..%2Fetc"}) {
      HttpResponse<byte[]> r = get("/v1/models/" + id);
      assertThat(r.statusCode()).as(id + ": " + text(r)).isEqualTo(404);
      JsonNode e = tree(r).get("error");
      assertThat(e.get("code").asText()).isEqualTo("model_not_found");
      assertThat(e.get("type").asText()).isEqualTo("invalid_request_error");
      assertThat(e.get("param").asText()).isEqualTo("model");
    }
    assertThat(tree(get("/v1/models/nope")).get("error").get("message").asText()).contains("unknown model 'nope'");
  }

  @Test
  void aListedConfiguredModelGenerates() {
    HttpResponse<byte[]> r = send(OpenAiHttp.json(base.resolve("/v1/images/generations"),
        "{\"model\":\"second\",\"prompt\":\"a red circle\",\"size\":\"128x128\",\"steps\":1}"));
    assertThat(r.statusCode()).as(text(r)).isEqualTo(200);
  }
}
