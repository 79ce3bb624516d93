package io.github.ldm4j.quarkus.deployment;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.ldm4j.image.PngCodec;
import io.quarkus.test.QuarkusUnitTest;
import io.quarkus.test.common.http.TestHTTPResource;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Home Assistant core's OpenAI integration, action {@code openai_conversation.generate_image}, replayed
 * exactly: repository {@code home-assistant/core}, {@code homeassistant/components/openai_conversation/__init__.py}
 * at commit {@code 26ed6de809937eebbb7a4739bc361fe5819e004f} ({@code render_image}; later versions, which
 * deprecate the action for 2026.9.0, make the same call and also raise "No image returned" when {@code
 * data[0].url} is empty). The integration has no base-URL setting: {@code async_setup_entry} builds {@code
 * openai.AsyncOpenAI(api_key=entry.data[CONF_API_KEY])}, and the openai library ({@code openai/openai-python},
 * {@code src/openai/_client.py} at commit {@code 02cf7cdbdb19f5c782d5cee65db6b45d73b9ce0d}) then takes the base URL
 * from the {@code OPENAI_BASE_URL} environment variable, so Home Assistant started with {@code
 * OPENAI_BASE_URL=http://ldm4j-host:8080/v1} sends its calls here; the library authenticates with {@code
 * Authorization: Bearer <the API key entered in the config flow>} and posts JSON.
 *
 * <ol>
 *   <li>Setup ({@code async_setup_entry}, and the config flow's {@code validate_input}): {@code
 *       client.with_options(timeout=10.0).models.list} run as an executor job. On the async client that only
 *       builds an {@code AsyncPaginator} ({@code _base_client.py} {@code _request_api_list}) and nothing awaits
 *       it, so no request goes out; were it awaited it would be {@code GET /v1/models}, a 401 failing the setup
 *       ("invalid auth"), any other error retrying it, the body unread. The replay checks that request all the
 *       same.
 *   <li>The action: {@code client.images.generate(model="dall-e-3", prompt=..., size=..., quality=...,
 *       style=..., response_format="url", n=1)} with the action's defaults {@code size} 1024x1024, {@code
 *       quality} standard, {@code style} vivid (the schema allows 1024x1792 / 1792x1024, hd, natural); the
 *       library puts exactly those seven fields on the wire ({@code POST /v1/images/generations}, bodies {@code
 *       clients/home-assistant/generate_image.json} and {@code generate_image_hd.json}). It reads {@code
 *       data[0]} and returns {@code model_dump(exclude={"b64_json"})}, that is {@code url} and {@code
 *       revised_prompt} (and the extra {@code seed}), as the action's response; automations hand the {@code
 *       url} to a notification or an image entity, which fetches it without the API key.
 * </ol>
 *
 * The action's {@code 1792x1024} and {@code 1024x1792} need {@code quarkus.ldm4j.limits.max-width} / {@code
 * max-height} raised to 1792 (as here); with the default 1024 they are a 400.
 *
 * <p>Home Assistant's other image paths cannot reach ldm4j: the OpenAI AI Task entity ({@code ai_task.py})
 * generates images through the Responses API's {@code image_generation} tool ({@code POST /v1/responses}),
 * which ldm4j does not serve.
 */
class HomeAssistantOpenAiReplayTest {

  private static final String KEY = "ha-openai-key";

  @RegisterExtension
  static final QuarkusUnitTest APP = new QuarkusUnitTest()
      .withApplicationRoot(jar -> jar.addClass(TestModels.class)
          .addAsResource("clients/home-assistant/generate_image.json")
          .addAsResource("clients/home-assistant/generate_image_hd.json"))
      .overrideConfigKey("quarkus.ldm4j.model.path", TestModels.demoAnySize("demo-any-home-assistant"))
      .overrideConfigKey("quarkus.ldm4j.api-key", KEY)
      // DALL·E 3's 1792x1024 / 1024x1792 need the side limit raised from its default 1024 (else a 400 that
      // Home Assistant shows as "Error generating image: ... exceeds the limit of 1024x1024")
      .overrideConfigKey("quarkus.ldm4j.limits.max-width", "1792")
      .overrideConfigKey("quarkus.ldm4j.limits.max-height", "1792");

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  @TestHTTPResource("/") URI base;

  private HttpResponse<String> getWithKey(String path) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(base.resolve(path)).header("Authorization", "Bearer " + KEY).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> generate(String json) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(base.resolve("/v1/images/generations"))
        .header("Authorization", "Bearer " + KEY).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofString());
  }

  private static String resource(String name) throws Exception {
    try (InputStream in = HomeAssistantOpenAiReplayTest.class.getResourceAsStream("/clients/home-assistant/" + name)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  @Test
  void setupListsTheModelsWithTheKeyAndIsRefusedWithoutIt() throws Exception {
    assertThat(getWithKey("/v1/models").statusCode()).isEqualTo(200);
    HttpResponse<String> noKey = HTTP.send(HttpRequest.newBuilder(base.resolve("/v1/models")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(noKey.statusCode()).isEqualTo(401); // openai.AuthenticationError: HA's "invalid auth"
  }

  @Test
  void generateImageWithTheActionDefaults() throws Exception {
    readAsHomeAssistantDoes(resource("generate_image.json"), "a cosy living room at dusk, warm lamps", 1024, 1024);
  }

  @Test
  void generateImageHdNaturalLandscape() throws Exception {
    readAsHomeAssistantDoes(resource("generate_image_hd.json"), "the garden in the rain, seen from the porch",
        1792, 1024);
  }

  @Test
  void aQualityOrStyleOpenAiDoesNotTakeIsA400NamingIt() throws Exception {
    String body = resource("generate_image.json");
    for (String[] c : new String[][] {{"quality", "\"standard\"", "\"ultra\""}, {"style", "\"vivid\"", "\"gothic\""},
        {"quality", "\"standard\"", "3"}}) {
      HttpResponse<String> r = generate(body.replace("\"" + c[0] + "\": " + c[1], "\"" + c[0] + "\": " + c[2]));
      assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
      assertThat(JSON.readTree(r.body()).get("error").get("param").asText()).isEqualTo(c[0]);
    }
  }

  /** Posts {@code body} and reads the answer as {@code render_image} and the automation using its URL do. */
  private void readAsHomeAssistantDoes(String body, String prompt, int width, int height) throws Exception {
    HttpResponse<String> r = generate(body);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    JsonNode answer = JSON.readTree(r.body());
    assertThat(answer.get("data")).hasSize(1);
    JsonNode image = answer.get("data").get(0);
    // response.data[0].model_dump(exclude={"b64_json"}): url (required non-empty), revised_prompt
    assertThat(image.has("b64_json")).isFalse();
    assertThat(image.get("revised_prompt").asText()).isEqualTo(prompt);
    URI url = URI.create(image.get("url").asText());
    assertThat(url.isAbsolute()).as(url.toString()).isTrue();
    assertThat(url.getScheme()).isEqualTo("http");
    assertThat(url.getPath()).startsWith("/v1/images/files/").endsWith(".png");
    // accepted, not applied, and said so
    assertThat(answer.get("ignored_fields")).extracting(JsonNode::asText).containsExactly("quality", "style");

    // the notification / image entity fetches the URL without the API key
    HttpResponse<byte[]> png = HTTP.send(HttpRequest.newBuilder(url).build(), HttpResponse.BodyHandlers.ofByteArray());
    assertThat(png.statusCode()).isEqualTo(200);
    assertThat(png.headers().firstValue("Content-Type")).hasValue("image/png");
    PngCodec.Decoded decoded = PngCodec.decode(png.body(), Long.MAX_VALUE);
    assertThat(decoded.image().width()).isEqualTo(width);
    assertThat(decoded.image().height()).isEqualTo(height);
  }
}
