package io.github.ldm4j.quarkus.deployment;

import static io.github.ldm4j.quarkus.deployment.OpenAiHttp.send;
import static io.github.ldm4j.quarkus.deployment.OpenAiHttp.text;
import static io.github.ldm4j.quarkus.deployment.OpenAiHttp.tree;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.ldm4j.image.PngCodec;
import io.quarkus.test.QuarkusUnitTest;
import io.quarkus.test.common.http.TestHTTPResource;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code POST /v1/images/variations} on the 128 px shapes model: img2img of the upload with an empty
 * prompt at the default strength ({@code quarkus.ldm4j.images.variation-strength}, 0.6) or the given
 * one, {@code n} images with their own seeds, {@code size} resizing the upload, URLs, and the errors
 * of {@code /v1/images/edits}.
 */
class OpenAiVariationsTest {

  @RegisterExtension
  static final QuarkusUnitTest APP = new QuarkusUnitTest()
      .withApplicationRoot(jar -> jar.addClasses(TestModels.class, OpenAiHttp.class))
      .overrideConfigKey("quarkus.http.test-port", "0") // a free port: other builds may hold 8081
      .overrideConfigKey("quarkus.ldm4j.model.path", TestModels.shapes128());

  @TestHTTPResource("/") URI base;

  private HttpResponse<byte[]> variations(Map<String, String> fields, Map<String, byte[]> files) {
    return send(OpenAiHttp.multipart(base.resolve("/v1/images/variations"), fields, files));
  }

  private static PngCodec.Decoded image(JsonNode d) {
    return OpenAiHttp.decode(Base64.getDecoder().decode(d.get("b64_json").asText()));
  }

  @Test
  void nVariationsAtTheDefaultStrengthWithTheirOwnSeeds() {
    HttpResponse<byte[]> r = variations(Map.of("n", "2", "steps", "4", "seed", "21", "user", "someone"),
        Map.of("image", OpenAiHttp.png(128, 128, 0, 0, 255)));
    assertThat(r.statusCode()).as(text(r)).isEqualTo(200);
    JsonNode data = tree(r).get("data");
    assertThat(data).hasSize(2);
    assertThat(data.get(0).get("seed").asLong()).isEqualTo(21);
    assertThat(data.get(1).get("seed").asLong()).isNotEqualTo(21);
    for (JsonNode d : data) {
      assertThat(d.has("revised_prompt")).isFalse(); // a variation has no prompt
      PngCodec.Decoded png = image(d);
      assertThat(png.image().width()).isEqualTo(128);
      assertThat(png.image().height()).isEqualTo(128);
      assertThat(png.parameters().orElseThrow()).contains("Denoising strength: 0.6").contains("Steps: 4");
    }
  }

  @Test
  void aGivenStrengthAndSizeApplyAndUrlsWork() {
    // a 64 px upload resized to the 128 px the model runs
    HttpResponse<byte[]> r = variations(Map.of("size", "128x128", "strength", "0.3", "steps", "10",
        "response_format", "url"), Map.of("image", OpenAiHttp.png(64, 64, 255, 0, 0)));
    assertThat(r.statusCode()).as(text(r)).isEqualTo(200);
    String url = tree(r).get("data").get(0).get("url").asText();
    HttpResponse<byte[]> file = send(HttpRequest.newBuilder(URI.create(url)).GET());
    assertThat(file.statusCode()).isEqualTo(200);
    PngCodec.Decoded png = OpenAiHttp.decode(file.body());
    assertThat(png.image().width()).isEqualTo(128);
    assertThat(png.parameters().orElseThrow()).contains("Denoising strength: 0.3").contains("Size: 128x128");
  }

  @Test
  void badRequestsAre400NamingTheField() {
    byte[] blue = OpenAiHttp.png(128, 128, 0, 0, 255);
    String[][] cases = {
        {"image", "", "not an image"},
        {"image", "n=1", null},
        {"size", "size=12x", "blue"},
        {"size", "size=64x64", "blue"},
        {"image", "", "small"},
        {"strength", "strength=1.5", "blue"},
        {"strength", "strength=0", "blue"},
        {"n", "n=0", "blue"},
        {"response_format", "response_format=jpeg", "blue"},
    };
    for (String[] c : cases) {
      Map<String, String> fields = c[1].isEmpty() ? Map.of() : Map.of(c[1].split("=")[0], c[1].split("=")[1]);
      Map<String, byte[]> files = c[2] == null ? Map.of()
          : Map.of("image", switch (c[2]) {
            case "blue" -> blue;
            case "small" -> OpenAiHttp.png(64, 64, 0, 0, 255); // the model runs 128 px only
            default -> c[2].getBytes(StandardCharsets.UTF_8);
          });
      HttpResponse<byte[]> r = variations(fields, files);
      assertThat(r.statusCode()).as(String.join(" ", c[0], c[1], String.valueOf(c[2])) + ": " + text(r)).isEqualTo(400);
      assertThat(tree(r).get("error").get("param").asText()).as(text(r)).isEqualTo(c[0]);
    }
    // without Quarkus' proxy handling the Host header itself is checked: not host[:port] is 400 before any work
    for (String host : new String[] {"evil.example:80@other", "evil.example/x", "[::1", "h:99999"}) {
      byte[] body = OpenAiHttp.multipartBytes(Map.of("response_format", "url"), Map.of("image", blue));
      Map.Entry<Integer, String> r = OpenAiHttp.raw(base, "POST", "/v1/images/variations", "Host: " + host
          + "\r\nContent-Type: multipart/form-data; boundary=" + OpenAiHttp.BOUNDARY + "\r\n", body);
      assertThat(r.getKey()).as(host + ": " + r.getValue()).isEqualTo(400);
      assertThat(r.getValue()).doesNotContain("/v1/images/files/");
    }
    Map.Entry<Integer, String> ipv6 = OpenAiHttp.raw(base, "POST", "/v1/images/variations", "Host: [::1]:" + base.getPort()
        + "\r\nContent-Type: multipart/form-data; boundary=" + OpenAiHttp.BOUNDARY + "\r\n",
        OpenAiHttp.multipartBytes(Map.of("response_format", "url", "steps", "2"), Map.of("image", blue)));
    assertThat(ipv6.getKey()).as(ipv6.getValue()).isEqualTo(200);
    assertThat(ipv6.getValue()).contains("\"url\":\"http://[::1]:" + base.getPort() + "/v1/images/files/");
    // the server keeps serving
    assertThat(variations(Map.of("steps", "2"), Map.of("image", blue)).statusCode()).isEqualTo(200);
  }
}
