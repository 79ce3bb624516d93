package io.github.ldm4j.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.net.URI;
import org.junit.jupiter.api.Test;

/** An exception no mapper knows becomes 500 with the OpenAI error body, and the server keeps serving. */
@QuarkusTest
@QuarkusTestResource(ShapesModelResource.class)
class UnexpectedErrorTest {

  @TestHTTPResource("/") URI base;

  @Test
  void anUnexpectedExceptionIs500WithAnOpenAiBody() {
    JsonNode error = FrameworkErrorsTest.openAiError(Http.get(base, "/it/failing"), 500, "server_error", "internal_error");
    assertThat(error.get("message").asText()).contains("simulated backend failure");
    assertThat(Http.get(base, "/ldm4j/samplers").statusCode()).isEqualTo(200);
  }
}
