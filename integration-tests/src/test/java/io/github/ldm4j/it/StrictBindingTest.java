package io.github.ldm4j.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.ldm4j.demo.ShapeColour;
import io.github.ldm4j.demo.ShapeKind;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The API binds as strictly as OpenAI's and A1111's own: a value of the wrong JSON type, a number in
 * a string, an empty string for a number, trailing data, a duplicate key, invalid UTF-8, an absurd
 * guidance scale, a size with leading zeros, a truncated image or a non-JSON media type is a 4xx
 * with the OpenAI error body — never a silently coerced value — on every endpoint with that field.
 */
@QuarkusTest
@QuarkusTestResource(ShapesModelResource.class)
class StrictBindingTest {

  private static final String G = "/v1/images/generations";
  private static final String T = "/sdapi/v1/txt2img";

  @TestHTTPResource("/") URI base;

  @AfterEach
  void stillServing() {
    assertThat(Http.get(base, "/ldm4j/samplers").statusCode()).isEqualTo(200);
  }

  static JsonNode error(HttpResponse<String> r, int status, String param) {
    assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
    assertThat(r.headers().firstValue("Content-Type").orElse("")).as(r.body()).startsWith("application/json");
    JsonNode error = Http.json(r).get("error");
    assertThat(error).as(r.body()).isNotNull();
    assertThat(error.get("message").asText()).isNotBlank();
    assertThat(error.get("type").asText()).isEqualTo("invalid_request_error");
    assertThat(error.get("code").asText()).isNotBlank();
    if (param != null) {
      assertThat(error.get("param").asText()).as(r.body()).isEqualTo(param);
    }
    return error;
  }

  @ParameterizedTest(name = "{0} {1}")
  @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
      "/v1/images/generations|`{\"prompt\":42}`                                            |prompt",
      "/v1/images/generations|`{\"prompt\":4.5}`                                           |prompt",
      "/v1/images/generations|`{\"prompt\":true}`                                          |prompt",
      "/v1/images/generations|`{\"prompt\":[\"a red circle\"]}`                            |prompt",
      "/v1/images/generations|`{\"prompt\":{\"text\":\"a red circle\"}}`                   |prompt",
      "/v1/images/generations|`{\"prompt\":\"a red circle\",\"n\":\"2\"}`                  |n",
      "/v1/images/generations|`{\"prompt\":\"a red circle\",\"n\":true}`                    |n",
      "/v1/images/generations|`{\"prompt\":\"a red circle\",\"n\":1.0}`                     |n",
      "/v1/images/generations|`{\"prompt\":\"a red circle\",\"negative_prompt\":42}`        |negative_prompt",
      "/v1/images/generations|`{\"prompt\":\"a red circle\",\"steps\":\"20\"}`              |steps",
      "/v1/images/generations|`{\"prompt\":\"a red circle\",\"seed\":\"\"}`                 |seed",
      "/v1/images/generations|`{\"prompt\":\"a red circle\",\"seed\":\"7\"}`                |seed",
      "/v1/images/generations|`{\"prompt\":\"a red circle\",\"guidance_scale\":\"7.5\"}`    |guidance_scale",
      "/v1/images/generations|`{\"prompt\":\"a red circle\",\"guidance_scale\":1e308}`      |guidance_scale",
      "/v1/images/generations|`{\"prompt\":\"a red circle\",\"size\":\"00128x00128\"}`      |size",
      "/v1/images/generations|`{\"prompt\":\"a red circle\",\"size\":128}`                  |size",
      "/v1/images/generations|`{\"prompt\":\"a red circle\",\"model\":7}`                   |model",
      "/v1/images/generations|`{\"prompt\":\"a red circle\",\"task_id\":7}`                 |task_id",
      "/v1/images/generations|`{\"prompt\":\"a red circle\",\"response_format\":false}`     |response_format",
      "/v1/images/generations|`{\"prompt\":\"a red circle\"} trailing`                      |",
      "/v1/images/generations|`{\"prompt\":\"a red circle\"}{}`                             |",
      "/v1/images/generations|`{\"prompt\":\"a red circle\",\"prompt\":\"a blue square\"}`|prompt",
      "/sdapi/v1/txt2img     |`{\"prompt\":42}`                                            |prompt",
      "/sdapi/v1/txt2img     |`{\"prompt\":false}`                                         |prompt",
      "/sdapi/v1/txt2img     |`{\"prompt\":\"a red circle\",\"negative_prompt\":42}`        |negative_prompt",
      "/sdapi/v1/txt2img     |`{\"prompt\":\"a red circle\",\"steps\":\"20\"}`              |steps",
      "/sdapi/v1/txt2img     |`{\"prompt\":\"a red circle\",\"batch_size\":\"1\"}`          |batch_size",
      "/sdapi/v1/txt2img     |`{\"prompt\":\"a red circle\",\"width\":\"128\"}`             |width",
      "/sdapi/v1/txt2img     |`{\"prompt\":\"a red circle\",\"width\":128.5}`               |width",
      "/sdapi/v1/txt2img     |`{\"prompt\":\"a red circle\",\"seed\":\"\"}`                 |seed",
      "/sdapi/v1/txt2img     |`{\"prompt\":\"a red circle\",\"cfg_scale\":1e308}`           |cfg_scale",
      "/sdapi/v1/txt2img     |`{\"prompt\":\"a red circle\",\"cfg_scale\":\"7\"}`           |cfg_scale",
      "/sdapi/v1/txt2img     |`{\"prompt\":\"a red circle\",\"sampler_name\":1}`            |sampler_name",
      "/sdapi/v1/txt2img     |`{\"prompt\":\"a red circle\"} []`                           |",
      "/sdapi/v1/img2img     |`{\"prompt\":\"a red circle\",\"init_images\":\"abc\"}`       |init_images",
      "/sdapi/v1/img2img     |`{\"prompt\":\"a red circle\",\"init_images\":[42]}`          |init_images",
      "/sdapi/v1/img2img     |`{\"prompt\":42,\"init_images\":[\"abc\"]}`                  |prompt",
      "/sdapi/v1/img2img     |`{\"prompt\":\"x\",\"init_images\":[\"a\"],\"denoising_strength\":\"0.5\"}`|denoising_strength",
  })
  void aValueOfTheWrongTypeOrShapeIs400NamingTheField(String path, String body, String param) {
    error(Http.post(base, path.trim(), body), 400, param == null ? null : param.trim());
  }

  @Test
  void overlongUtf8IsRefusedNotDecodedAsASlash() {
    byte[] prefix = "{\"prompt\":\"a red circle".getBytes(StandardCharsets.UTF_8);
    byte[] body = Arrays.copyOf(prefix, prefix.length + 4);
    body[prefix.length] = (byte) 0xC0; // overlong encoding of '/'
    body[prefix.length + 1] = (byte) 0xAF;
    body[prefix.length + 2] = '"';
    body[prefix.length + 3] = '}';
    for (String path : new String[] {G, T}) {
      HttpResponse<String> r = Http.send(HttpRequest.newBuilder(base.resolve(path)).header("Content-Type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofByteArray(body)));
      assertThat(error(r, 400, null).get("message").asText()).contains("UTF-8");
    }
  }

  @ParameterizedTest(name = "{0} as {1}")
  @CsvSource({
      "/v1/images/generations, text/plain",
      "/v1/images/generations, application/x-www-form-urlencoded",
      "/v1/images/generations, image/png",
      "/sdapi/v1/txt2img, text/plain",
      "/sdapi/v1/img2img, application/xml",
  })
  void aJsonEndpointRefusesOtherMediaTypesWith415(String path, String type) {
    HttpResponse<String> r = Http.send(HttpRequest.newBuilder(base.resolve(path)).header("Content-Type", type)
        .POST(HttpRequest.BodyPublishers.ofString("{\"prompt\":\"a red circle\",\"steps\":1}")));
    assertThat(r.statusCode()).as(r.body()).isEqualTo(415);
    assertThat(Http.json(r).get("error").get("code").asText()).isEqualTo("unsupported_media_type");
  }

  @Test
  void jsonWithACharsetParameterIsStillJson() {
    HttpResponse<String> r = Http.send(HttpRequest.newBuilder(base.resolve(G))
        .header("Content-Type", "application/json; charset=utf-8")
        .POST(HttpRequest.BodyPublishers.ofString("{\"prompt\":42}")));
    error(r, 400, "prompt");
  }

  /** No Content-Type at all is read as JSON (documented), so the binding rules still apply. */
  @Test
  void aBodyWithoutContentTypeIsReadAsJson() {
    HttpResponse<String> r = Http.send(HttpRequest.newBuilder(base.resolve(T))
        .POST(HttpRequest.BodyPublishers.ofString("{\"prompt\":42}")));
    error(r, 400, "prompt");
  }

  /** A JPEG cut short: the JDK decodes it with grey fill and a warning; the API refuses it. */
  static byte[] truncatedJpeg() {
    BufferedImage img = new BufferedImage(ShapesModelResource.SIZE, ShapesModelResource.SIZE, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < img.getHeight(); y++) {
      for (int x = 0; x < img.getWidth(); x++) {
        img.setRGB(x, y, (x * 2) << 16 | (y * 2) << 8 | 77);
      }
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      ImageIO.write(img, "jpeg", out);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    byte[] jpeg = out.toByteArray();
    return Arrays.copyOf(jpeg, jpeg.length * 9 / 10);
  }

  @Test
  void aTruncatedJpegIsRefusedOnEditsAndImg2img() {
    byte[] jpeg = truncatedJpeg();
    HttpResponse<String> edit = ImageEditsTest.multipart(base, Map.of("prompt", "a red circle"), Map.of("image", jpeg));
    assertThat(error(edit, 400, "image").get("message").asText()).contains("image data is truncated");
    HttpResponse<String> a1111 = Http.post(base, "/sdapi/v1/img2img", "{\"prompt\":\"a red circle\",\"init_images\":[\""
        + Base64.getEncoder().encodeToString(jpeg) + "\"]}");
    assertThat(error(a1111, 400, "init_images").get("message").asText()).contains("image data is truncated");
  }

  @ParameterizedTest(name = "{0}={1}")
  @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
      "n              |`2.5`",
      "n              |`+1`",
      "n              |`01`",
      "n              |``",
      "steps          |`0x10`",
      "seed           |``",
      "seed           |`1e3`",
      "guidance_scale |`1e308`",
      "guidance_scale |`Infinity`",
      "guidance_scale |`7.5d`",
      "strength       |`0x1p-1`",
      "strength       |`NaN`",
      "strength       |``",
  })
  void aFormNumberOutsideJsonsNumberGrammarIs400(String field, String value) {
    HttpResponse<String> r = ImageEditsTest.multipart(base, Map.of("prompt", "a red circle", field.trim(),
        value == null ? "" : value), Map.of("image", ImageEditsTest.datasetPng(ShapeColour.RED, ShapeKind.CIRCLE)));
    error(r, 400, field.trim());
  }
}
