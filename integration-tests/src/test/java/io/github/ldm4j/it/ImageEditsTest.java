package io.github.ldm4j.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.ldm4j.demo.ShapeColour;
import io.github.ldm4j.demo.ShapeKind;
import io.github.ldm4j.demo.ShapesDataset;
import io.github.ldm4j.image.PngCodec;
import io.github.ldm4j.image.RgbImage;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** {@code POST /v1/images/edits} (multipart): img2img and bad uploads. */
@QuarkusTest
@QuarkusTestResource(ShapesModelResource.class)
class ImageEditsTest {

  static final String BOUNDARY = "ldm4jBoundary7d93";
  private static final int SIZE = ShapesModelResource.SIZE;

  @TestHTTPResource("/") URI base;

  static HttpResponse<String> multipart(URI base, Map<String, String> fields, Map<String, byte[]> files) {
    return Http.send(HttpRequest.newBuilder(base.resolve("/v1/images/edits"))
        .header("Content-Type", "multipart/form-data; boundary=" + BOUNDARY)
        .POST(HttpRequest.BodyPublishers.ofByteArray(multipartBody(fields, files))));
  }

  /** A multipart/form-data body with {@link #BOUNDARY}: text fields, then PNG file parts. */
  static byte[] multipartBody(Map<String, String> fields, Map<String, byte[]> files) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    fields.forEach((k, v) -> out.writeBytes(("--" + BOUNDARY + "\r\nContent-Disposition: form-data; name=\"" + k
        + "\"\r\n\r\n" + v + "\r\n").getBytes(StandardCharsets.UTF_8)));
    files.forEach((k, v) -> {
      out.writeBytes(("--" + BOUNDARY + "\r\nContent-Disposition: form-data; name=\"" + k + "\"; filename=\"" + k
          + ".png\"\r\nContent-Type: image/png\r\n\r\n").getBytes(StandardCharsets.UTF_8));
      out.writeBytes(v);
      out.writeBytes("\r\n".getBytes(StandardCharsets.UTF_8));
    });
    out.writeBytes(("--" + BOUNDARY + "--\r\n").getBytes(StandardCharsets.UTF_8));
    return out.toByteArray();
  }

  static byte[] datasetPng(ShapeColour colour, ShapeKind kind) {
    byte[] rgb = ShapesDataset.of(SIZE).image(ShapesDataset.index(colour, kind));
    return PngCodec.encode(new RgbImage(SIZE, SIZE, rgb), Optional.empty());
  }

  @Test
  void img2imgAtLowStrengthKeepsTheBlueSquareWhateverThePrompt() {
    HttpResponse<String> r = multipart(base, Map.of("prompt", "a red circle", "strength", "0.3", "seed", "11",
        "steps", "20"), Map.of("image", datasetPng(ShapeColour.BLUE, ShapeKind.SQUARE)));
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    JsonNode data = Http.json(r).get("data");
    assertThat(data).hasSize(1);
    RgbImage img = ImagesGenerationTest.decode(data.get(0).get("b64_json").asText());
    assertThat(img.width()).isEqualTo(SIZE);
    assertThat((int) ImagesGenerationTest.nearest(img)[0])
        .isEqualTo(ShapesDataset.index(ShapeColour.BLUE, ShapeKind.SQUARE));
  }

  @Test
  void badUploadsAre400AndTheServerKeepsServing() {
    HttpResponse<String> notAnImage = multipart(base, Map.of("prompt", "a red circle"),
        Map.of("image", "hello, I am text".getBytes(StandardCharsets.UTF_8)));
    assertThat(notAnImage.statusCode()).as(notAnImage.body()).isEqualTo(400);
    assertThat(Http.json(notAnImage).get("error").get("param").asText()).isEqualTo("image");

    HttpResponse<String> noImage = multipart(base, Map.of("prompt", "a red circle"), Map.of());
    assertThat(noImage.statusCode()).isEqualTo(400);
    assertThat(Http.json(noImage).get("error").get("param").asText()).isEqualTo("image");

    HttpResponse<String> badStrength = multipart(base, Map.of("prompt", "a red circle", "strength", "7"),
        Map.of("image", datasetPng(ShapeColour.RED, ShapeKind.CIRCLE)));
    assertThat(badStrength.statusCode()).isEqualTo(400);
    assertThat(Http.json(badStrength).get("error").get("param").asText()).isEqualTo("strength");

    assertThat(Http.get(base, "/ldm4j/samplers").statusCode()).isEqualTo(200);
  }
}
