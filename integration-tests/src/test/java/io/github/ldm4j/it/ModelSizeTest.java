package io.github.ldm4j.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.ldm4j.image.PngCodec;
import io.github.ldm4j.image.RgbImage;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.net.URI;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The 128 px shapes oracle's UNet is exported with its latent fixed at 16×16: a size within the
 * server's limits (256) that the model cannot run is refused with 400 and the reason, before it is
 * queued, on every endpoint, and the server keeps serving.
 */
@QuarkusTest
@QuarkusTestResource(ShapesModelResource.class)
class ModelSizeTest {

  static final String FIXED = "this model's UNet accepts only 128x128 images (its sample input is fixed at"
      + " [?, 4, 16, 16]); got ";

  @TestHTTPResource("/") URI base;

  static void assertRefused(HttpResponse<String> r, String param, String size) {
    assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
    assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("application/json");
    JsonNode error = Http.json(r).get("error");
    assertThat(error.get("type").asText()).isEqualTo("invalid_request_error");
    assertThat(error.get("message").asText()).isEqualTo(FIXED + size);
    if (param == null) {
      assertThat(error.get("param").isNull()).as(r.body()).isTrue();
    } else {
      assertThat(error.get("param").asText()).isEqualTo(param);
    }
  }

  @AfterEach
  void stillServing() {
    assertThat(Http.get(base, "/ldm4j/samplers").statusCode()).isEqualTo(200);
  }

  @Test
  void openAiGenerationsOfAnotherSizeAre400NamingSize() {
    assertRefused(Http.post(base, "/v1/images/generations", "{\"prompt\":\"x\",\"size\":\"256x256\",\"steps\":2}"),
        "size", "256x256");
  }

  @Test
  void a1111Txt2imgOfAnotherWidthIs400NamingWidth() {
    assertRefused(Http.post(base, "/sdapi/v1/txt2img", "{\"prompt\":\"x\",\"width\":256,\"steps\":2}"),
        "width", "256x128");
    assertRefused(Http.post(base, "/sdapi/v1/txt2img", "{\"prompt\":\"x\",\"width\":64,\"height\":64,\"steps\":2}"),
        null, "64x64");
  }

  @Test
  void editsOfAnImageOfAnotherSizeAre400NamingImage() {
    byte[] png = PngCodec.encode(new RgbImage(64, 64, new byte[64 * 64 * 3]), Optional.empty());
    assertRefused(ImageEditsTest.multipart(base, Map.of("prompt", "x", "steps", "2"), Map.of("image", png)),
        "image", "64x64");
  }
}
