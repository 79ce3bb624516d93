package io.github.ldm4j.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.net.URI;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;

/** Readiness and the OpenAPI document. */
@QuarkusTest
@QuarkusTestResource(ShapesModelResource.class)
class ServiceEndpointsTest {

  @TestHTTPResource("/") URI base;

  @Test
  void readyOnceTheModelIsLoaded() {
    HttpResponse<String> r = Http.get(base, "/q/health/ready");
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    JsonNode body = Http.json(r);
    assertThat(body.get("status").asText()).isEqualTo("UP");
    assertThat(body.toString()).contains("\"name\":\"ldm4j\"").contains("\"models\":\"default\"");
  }

  @Test
  void openApiDescribesTheEndpoints() {
    HttpResponse<String> r = Http.get(base, "/q/openapi?format=json");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).contains("/v1/images/generations", "/sdapi/v1/txt2img", "/ldm4j/samplers");
  }

  @Test
  void openApiDescribesTheJsonRequestBodiesAndErrors() {
    JsonNode api = Http.json(Http.get(base, "/q/openapi?format=json"));
    JsonNode post = api.at("/paths/~1v1~1images~1generations/post");
    JsonNode schema = post.at("/requestBody/content/application~1json/schema");
    assertThat(schema.isMissingNode()).as(post.toString()).isFalse();
    JsonNode request = schema.has("$ref")
        ? api.at("/components/schemas/" + schema.get("$ref").asText().substring("#/components/schemas/".length()))
        : schema;
    assertThat(request.at("/properties/prompt/type").asText()).as(request.toString()).isEqualTo("string");
    assertThat(request.at("/properties/response_format").isMissingNode()).as(request.toString()).isFalse();
    JsonNode errors = post.at("/responses/default");
    assertThat(errors.at("/content/application~1json/schema").toString()).contains("ApiError");
    assertThat(errors.at("/description").asText()).contains("400", "404", "413", "429", "504");
    assertThat(api.at("/components/schemas/ApiError/properties/error").isMissingNode()).as("ApiError schema")
        .isFalse();
    JsonNode txt2img = api.at("/paths/~1sdapi~1v1~1txt2img/post/requestBody/content/application~1json/schema");
    assertThat(txt2img.toString()).contains("Txt2ImgRequest");
  }
}
