package io.github.ldm4j.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.ldm4j.demo.ShapeColour;
import io.github.ldm4j.demo.ShapeKind;
import io.github.ldm4j.demo.ShapesDataset;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.net.URI;
import java.net.http.HttpResponse;
import java.util.Base64;
import org.junit.jupiter.api.Test;

/** The AUTOMATIC1111 subset: txt2img with A1111 sampler names, samplers, progress. */
@QuarkusTest
@QuarkusTestResource(ShapesModelResource.class)
class A1111ApiTest {

  @TestHTTPResource("/") URI base;

  @Test
  void txt2imgWithAnA1111SamplerName() throws Exception {
    HttpResponse<String> r = Http.post(base, "/sdapi/v1/txt2img",
        "{\"prompt\":\"a red circle\",\"steps\":20,\"cfg_scale\":7.5,\"width\":128,\"height\":128,\"seed\":5,"
            + "\"sampler_name\":\"DPM++ 2M Karras\",\"batch_size\":1,\"send_images\":true}");
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    JsonNode body = Http.json(r);
    assertThat(body.get("images")).hasSize(1);
    assertThat((int) ImagesGenerationTest.nearest(ImagesGenerationTest.decode(body.get("images").get(0).asText()))[0])
        .isEqualTo(ShapesDataset.index(ShapeColour.RED, ShapeKind.CIRCLE));
    JsonNode info = Http.JSON.readTree(body.get("info").asText());
    assertThat(info.get("seed").asLong()).isEqualTo(5);
    assertThat(info.get("sampler_name").asText()).isEqualTo("dpmpp_2m");
    assertThat(info.get("scheduler").asText()).isEqualTo("karras");
    assertThat(body.get("parameters").get("steps").asInt()).isEqualTo(20);
  }

  @Test
  void img2imgAtLowStrengthKeepsTheInitImage() {
    String init = Base64.getEncoder().encodeToString(ImageEditsTest.datasetPng(ShapeColour.YELLOW, ShapeKind.CROSS));
    HttpResponse<String> r = Http.post(base, "/sdapi/v1/img2img", "{\"prompt\":\"a green circle\",\"init_images\":[\""
        + init + "\"],\"denoising_strength\":0.3,\"steps\":20,\"seed\":2,\"sampler_name\":\"Euler\"}");
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat((int) ImagesGenerationTest.nearest(ImagesGenerationTest.decode(Http.json(r).get("images").get(0).asText()))[0])
        .isEqualTo(ShapesDataset.index(ShapeColour.YELLOW, ShapeKind.CROSS));
  }

  @Test
  void img2imgBadInputsAre400() {
    HttpResponse<String> none = Http.post(base, "/sdapi/v1/img2img", "{\"prompt\":\"a red circle\"}");
    assertThat(none.statusCode()).isEqualTo(400);
    assertThat(Http.json(none).get("error").get("param").asText()).isEqualTo("init_images");
    HttpResponse<String> garbage = Http.post(base, "/sdapi/v1/img2img",
        "{\"prompt\":\"a red circle\",\"init_images\":[\"aGVsbG8=\"]}");
    assertThat(garbage.statusCode()).isEqualTo(400);
    assertThat(Http.json(garbage).get("error").get("param").asText()).isEqualTo("init_images");
  }

  @Test
  void unknownSamplerIs400() {
    HttpResponse<String> r = Http.post(base, "/sdapi/v1/txt2img", "{\"prompt\":\"a red circle\",\"sampler_name\":\"Foo\"}");
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(Http.json(r).get("error").get("param").asText()).isEqualTo("sampler_name");
  }

  @Test
  void samplersAndProgress() {
    JsonNode samplers = Http.json(Http.get(base, "/sdapi/v1/samplers"));
    assertThat(samplers.toString()).contains("{\"name\":\"Euler a\",\"aliases\":[\"euler_ancestral\"],\"options\":{}}");
    HttpResponse<String> p = Http.get(base, "/sdapi/v1/progress");
    assertThat(p.statusCode()).isEqualTo(200);
    JsonNode progress = Http.json(p);
    assertThat(progress.get("progress").asDouble()).isBetween(0.0, 1.0);
    assertThat(progress.get("state").has("job_count")).isTrue();
    assertThat(progress.has("eta_relative")).isTrue();
  }
}
