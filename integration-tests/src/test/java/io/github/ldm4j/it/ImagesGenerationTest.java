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
import java.net.URI;
import java.net.http.HttpResponse;
import java.util.Base64;
import org.junit.jupiter.api.Test;

/** {@code POST /v1/images/generations} on the shapes model: semantics and the OpenAI response shape. */
@QuarkusTest
@QuarkusTestResource(ShapesModelResource.class)
class ImagesGenerationTest {

  @TestHTTPResource("/") URI base;

  private static final int SIZE = ShapesModelResource.SIZE;

  /** Index of the dataset image nearest (mean absolute error) to {@code img}, and that error. */
  static double[] nearest(RgbImage img) {
    ShapesDataset data = ShapesDataset.of(SIZE);
    int best = -1;
    double bestErr = Double.MAX_VALUE;
    for (int k = 0; k < ShapesDataset.IMAGES; k++) {
      double e = img.meanAbsoluteError(new RgbImage(SIZE, SIZE, data.image(k)));
      if (e < bestErr) {
        bestErr = e;
        best = k;
      }
    }
    return new double[] {best, bestErr};
  }

  static RgbImage decode(String b64) {
    return PngCodec.decode(Base64.getDecoder().decode(b64), 1 << 20).image();
  }

  @Test
  void aGreenSquareComesBackAsAGreenSquare() {
    HttpResponse<String> r = Http.post(base, "/v1/images/generations",
        "{\"prompt\":\"a green square\",\"size\":\"128x128\",\"response_format\":\"b64_json\",\"seed\":7}");
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    JsonNode body = Http.json(r);
    assertThat(body.get("created").asLong()).isPositive();
    assertThat(body.get("data")).hasSize(1);
    RgbImage img = decode(body.get("data").get(0).get("b64_json").asText());
    assertThat(img.width()).isEqualTo(SIZE);
    assertThat(img.height()).isEqualTo(SIZE);
    double[] n = nearest(img);
    assertThat((int) n[0]).isEqualTo(ShapesDataset.index(ShapeColour.GREEN, ShapeKind.SQUARE));
    assertThat(n[1]).isLessThan(12);
  }

  @Test
  void nImagesWithConsecutiveSeedsAndTheExtras() {
    HttpResponse<String> r = Http.post(base, "/v1/images/generations",
        "{\"prompt\":\"a blue circle\",\"n\":2,\"seed\":100,\"steps\":12,\"sampler\":\"dpmpp_2m\",\"scheduler\":\"karras\","
            + "\"guidance_scale\":5.0,\"negative_prompt\":\"red\",\"user\":\"ignored\"}");
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    JsonNode data = Http.json(r).get("data");
    assertThat(data).hasSize(2);
    assertThat(data.get(0).get("seed").asLong()).isEqualTo(100);
    assertThat(data.get(1).get("seed").asLong()).isEqualTo(101);
    assertThat(data.get(0).get("revised_prompt").asText()).isEqualTo("a blue circle");
    for (JsonNode d : data) {
      assertThat((int) nearest(decode(d.get("b64_json").asText()))[0])
          .isEqualTo(ShapesDataset.index(ShapeColour.BLUE, ShapeKind.CIRCLE));
    }
  }

  /**
   * OpenAI clients may send their own model ids; with no model of that name they get the default
   * model. Without {@code response_format} the answer is OpenAI's default for that id: a URL for
   * DALL·E ({@code dall-e-2}, {@code dall-e-3}), base64 for {@code gpt-image-1}.
   */
  @Test
  void openAiModelIdsAreServedByTheDefaultModel() {
    for (String model : new String[] {"dall-e-2", "gpt-image-1"}) {
      HttpResponse<String> r = Http.post(base, "/v1/images/generations",
          "{\"prompt\":\"a green square\",\"steps\":8,\"seed\":5,\"model\":\"" + model + "\"}");
      assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
      JsonNode d = Http.json(r).get("data").get(0);
      String b64;
      if (model.startsWith("dall-e")) {
        assertThat(d.has("b64_json")).as(r.body()).isFalse();
        URI url = URI.create(d.get("url").asText());
        HttpResponse<byte[]> png = Http.getBytes(url);
        assertThat(png.statusCode()).isEqualTo(200);
        b64 = Base64.getEncoder().encodeToString(png.body());
      } else {
        assertThat(d.has("url")).as(r.body()).isFalse();
        b64 = d.get("b64_json").asText();
      }
      assertThat((int) nearest(decode(b64))[0]).isEqualTo(ShapesDataset.index(ShapeColour.GREEN, ShapeKind.SQUARE));
    }
  }

  @Test
  void sameSeedSameImage() {
    String req = "{\"prompt\":\"a yellow cross\",\"seed\":3,\"steps\":8}";
    String a = Http.json(Http.post(base, "/v1/images/generations", req)).get("data").get(0).get("b64_json").asText();
    String b = Http.json(Http.post(base, "/v1/images/generations", req)).get("data").get(0).get("b64_json").asText();
    assertThat(a).isEqualTo(b);
  }

  @Test
  void listings() {
    HttpResponse<String> s = Http.get(base, "/ldm4j/samplers");
    assertThat(s.statusCode()).isEqualTo(200);
    JsonNode samplers = Http.json(s);
    assertThat(samplers.get("samplers").toString()).contains("\"euler\"", "\"ddim\"", "\"dpmpp_2m\"");
    assertThat(samplers.get("schedulers").toString()).contains("\"karras\"");
    JsonNode models = Http.json(Http.get(base, "/ldm4j/models"));
    assertThat(models.get("defaultModel").asText()).isEqualTo("default");
    assertThat(models.get("models").get(0).get("name").asText()).isEqualTo("default");
  }
}
