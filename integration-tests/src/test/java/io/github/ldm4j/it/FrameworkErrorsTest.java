package io.github.ldm4j.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Errors the REST framework raises itself (wrong method, wrong media type) are answered with the
 * OpenAI error body, not the framework's bare text, and the server keeps serving.
 */
@QuarkusTest
@QuarkusTestResource(ShapesModelResource.class)
class FrameworkErrorsTest {

  @TestHTTPResource("/") URI base;

  static JsonNode openAiError(HttpResponse<String> r, int status, String type, String code) {
    assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
    assertThat(r.headers().firstValue("Content-Type").orElse("")).as(r.body()).startsWith("application/json");
    JsonNode error = Http.json(r).get("error");
    assertThat(error).as(r.body()).isNotNull();
    assertThat(error.get("message").asText()).isNotBlank();
    assertThat(error.get("type").asText()).isEqualTo(type);
    assertThat(error.get("param").isNull()).isTrue();
    assertThat(error.get("code").asText()).isEqualTo(code);
    return error;
  }

  @AfterEach
  void stillServing() {
    assertThat(Http.get(base, "/ldm4j/samplers").statusCode()).isEqualTo(200);
  }

  @Test
  void getOnGenerationsIs405WithAnOpenAiBody() {
    HttpResponse<String> r = Http.get(base, "/v1/images/generations");
    openAiError(r, 405, "invalid_request_error", "method_not_allowed");
  }

  @Test
  void jsonPostToEditsIs415WithAnOpenAiBody() {
    HttpResponse<String> r = Http.post(base, "/v1/images/edits", "{\"prompt\":\"x\"}");
    openAiError(r, 415, "invalid_request_error", "unsupported_media_type");
  }

  @Test
  void anUnknownResourceUnderTheApiIs404WithAnOpenAiBody() {
    HttpResponse<String> r = Http.send(HttpRequest.newBuilder(base.resolve("/v1/images/variations-nope"))
        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString("{}")));
    openAiError(r, 404, "invalid_request_error", "not_found");
  }
}
