package io.github.ldm4j.quarkus.deployment;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.ldm4j.image.PngCodec;
import io.quarkus.test.QuarkusUnitTest;
import io.quarkus.test.common.http.TestHTTPResource;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Open WebUI's AUTOMATIC1111 image engine, replayed exactly: repository {@code open-webui/open-webui},
 * {@code backend/open_webui/routers/images.py} at commit {@code 02530d501461ce58ab06231d7c2ef2024a141ddf},
 * with the defaults of {@code backend/open_webui/config.py} ({@code AUTOMATIC1111_API_AUTH} "", so
 * {@code get_automatic1111_api_auth} sends {@code authorization: Basic } with nothing after it;
 * {@code IMAGE_SIZE} 512x512; {@code IMAGE_STEPS} 50; no {@code AUTOMATIC1111_PARAMS}). Every request
 * carries that {@code authorization} header, which a server without credentials ignores; aiohttp's
 * {@code json=} adds {@code Content-Type: application/json}.
 *
 * <ol>
 *   <li>{@code verify_url}: {@code GET /sdapi/v1/options}; reads only the status ({@code raise_for_status}).
 *   <li>{@code get_models}: {@code GET /sdapi/v1/sd-models}; reads {@code title} (the id) and {@code model_name}
 *       of each.
 *   <li>{@code update_config} → {@code set_image_model(model)}: {@code GET /sdapi/v1/options}, reads {@code
 *       sd_model_checkpoint}; when it differs from the chosen model, sets that key in the object it got and
 *       {@code POST}s the whole object back to {@code /sdapi/v1/options}; reads only the status.
 *   <li>{@code image_generations}: {@code get_image_model}: {@code GET /sdapi/v1/options}, reads {@code
 *       sd_model_checkpoint}; then {@code POST /sdapi/v1/txt2img} with {@code prompt}, {@code batch_size} (n),
 *       {@code width}, {@code height}, {@code steps} (body: {@code clients/open-webui/txt2img.json}); reads {@code
 *       images} (each base64 without a {@code data:} prefix, taken as {@code image/png}) and {@code info}
 *       (kept as the file's metadata).
 * </ol>
 *
 * Two configured demo models (the default and {@code second}, any size) let step 3 switch.
 */
class OpenWebUiReplayTest {

  @RegisterExtension
  static final QuarkusUnitTest APP = new QuarkusUnitTest()
      .withApplicationRoot(jar -> jar.addAsResource("clients/open-webui/txt2img.json"))
      .overrideConfigKey("quarkus.ldm4j.model.path", demo("demo-any"))
      .overrideConfigKey("quarkus.ldm4j.models.\"second\".path", demo("demo-any-second"));

  /** The demo model (any size: Open WebUI asks for 512x512) in {@code target/test-models/<folder>}. */
  static synchronized String demo(String folder) {
    java.nio.file.Path dir = java.nio.file.Path.of("target", "test-models", folder).toAbsolutePath();
    if (!java.nio.file.Files.isRegularFile(dir.resolve("model_index.json"))) {
      io.github.ldm4j.demo.ShapesModel.write(dir, io.github.ldm4j.demo.ShapesOptions.demo());
    }
    return dir.toString();
  }

  /** What {@code get_automatic1111_api_auth} sends with {@code AUTOMATIC1111_API_AUTH} "" (base64 of nothing). */
  private static final String AUTHORIZATION = "Basic ";

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  @TestHTTPResource("/") URI base;

  private HttpResponse<String> get(String path) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(base.resolve(path)).header("authorization", AUTHORIZATION).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> postJson(String path, String json) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(base.resolve(path)).header("authorization", AUTHORIZATION)
        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static String resource(String name) throws Exception {
    try (InputStream in = OpenWebUiReplayTest.class.getResourceAsStream("/clients/open-webui/" + name)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  @Test
  void configureTheEngineSwitchTheModelAndGenerate() throws Exception {
    // 1. verify_url
    assertThat(get("/sdapi/v1/options").statusCode()).isEqualTo(200);

    // 2. get_models: {"id": title, "name": model_name}
    HttpResponse<String> models = get("/sdapi/v1/sd-models");
    assertThat(models.statusCode()).isEqualTo(200);
    List<String> ids = new ArrayList<>();
    for (JsonNode m : JSON.readTree(models.body())) {
      assertThat(m.get("title").isTextual()).isTrue();
      assertThat(m.get("model_name").isTextual()).isTrue();
      ids.add(m.get("title").asText());
    }
    assertThat(ids).contains("default", "second");

    // 3. set_image_model("second"): the whole options object posted back with the model changed
    HttpResponse<String> got = get("/sdapi/v1/options");
    assertThat(got.statusCode()).isEqualTo(200);
    ObjectNode options = (ObjectNode) JSON.readTree(got.body());
    assertThat(options.get("sd_model_checkpoint").asText()).isEqualTo("default");
    options.put("sd_model_checkpoint", "second");
    HttpResponse<String> set = postJson("/sdapi/v1/options", options.toString());
    assertThat(set.statusCode()).as(set.body()).isEqualTo(200);

    // 4. get_image_model, then txt2img
    assertThat(JSON.readTree(get("/sdapi/v1/options").body()).get("sd_model_checkpoint").asText()).isEqualTo("second");
    HttpResponse<String> r = postJson("/sdapi/v1/txt2img", resource("txt2img.json"));
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    JsonNode res = JSON.readTree(r.body());
    assertThat(res.get("images")).hasSize(1);
    for (JsonNode image : res.get("images")) {
      assertThat(image.asText()).doesNotContain(",");
      PngCodec.Decoded png = PngCodec.decode(Base64.getDecoder().decode(image.asText()), Long.MAX_VALUE);
      assertThat(png.image().width()).isEqualTo(512);
      assertThat(png.image().height()).isEqualTo(512);
    }
    assertThat(res.get("info").isTextual()).isTrue();
    assertThat(JSON.readTree(res.get("info").asText()).isObject()).isTrue();
  }
}
