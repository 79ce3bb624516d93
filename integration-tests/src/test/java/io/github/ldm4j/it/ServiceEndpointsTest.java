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
}
