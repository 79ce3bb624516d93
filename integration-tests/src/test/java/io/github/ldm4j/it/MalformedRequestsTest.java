package io.github.ldm4j.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.net.URI;
import java.net.http.HttpResponse;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Each malformed request gets its 4xx with an OpenAI error body, and the server keeps serving. */
@QuarkusTest
@QuarkusTestResource(ShapesModelResource.class)
class MalformedRequestsTest {

  @TestHTTPResource("/") URI base;

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
      "bad JSON                |`{\"prompt\": `                                        |400|",
      "not an object           |`[1,2]`                                               |400|",
      "empty body              |``                                                    |400|",
      "null body               |`null`                                                |400|",
      "missing prompt          |`{\"n\":1}`                                           |400|prompt",
      "blank prompt            |`{\"prompt\":\"  \"}`                                 |400|prompt",
      "n of wrong type         |`{\"prompt\":\"a red circle\",\"n\":\"many\"}`         |400|n",
      "n zero                  |`{\"prompt\":\"a red circle\",\"n\":0}`               |400|n",
      "n over the limit        |`{\"prompt\":\"a red circle\",\"n\":50}`              |400|n",
      "size not WxH            |`{\"prompt\":\"a red circle\",\"size\":\"big\"}`      |400|size",
      "size not multiple of 8  |`{\"prompt\":\"a red circle\",\"size\":\"100x100\"}`  |400|",
      "huge size               |`{\"prompt\":\"a red circle\",\"size\":\"99999x99999\"}`|400|",
      "size over the limits    |`{\"prompt\":\"a red circle\",\"size\":\"512x512\"}`  |400|size",
      "negative steps          |`{\"prompt\":\"a red circle\",\"steps\":-3}`          |400|steps",
      "steps over the limit    |`{\"prompt\":\"a red circle\",\"steps\":100000}`      |400|",
      "fractional steps        |`{\"prompt\":\"a red circle\",\"steps\":2.5}`         |400|steps",
      "unknown sampler         |`{\"prompt\":\"a red circle\",\"sampler\":\"magic\"}` |400|sampler",
      "unknown scheduler       |`{\"prompt\":\"a red circle\",\"scheduler\":\"x\"}`   |400|scheduler",
      "NaN-ish guidance        |`{\"prompt\":\"a red circle\",\"guidance_scale\":-1}` |400|",
      "jpeg response format    |`{\"prompt\":\"a red circle\",\"response_format\":\"jpeg\"}`|400|response_format",
      "unknown model           |`{\"prompt\":\"a red circle\",\"model\":\"nope\"}`    |404|model",
  })
  void answeredWith4xxAndTheServerKeepsServing(String what, String body, int status, String param) {
    HttpResponse<String> r = Http.post(base, "/v1/images/generations", body);
    assertThat(r.statusCode()).as(what + ": " + r.body()).isEqualTo(status);
    JsonNode error = Http.json(r).get("error");
    assertThat(error).as(r.body()).isNotNull();
    assertThat(error.get("message").asText()).isNotBlank();
    assertThat(error.get("type").asText()).isEqualTo("invalid_request_error");
    if (param != null) {
      assertThat(error.get("param").asText()).isEqualTo(param);
    }
    assertThat(Http.get(base, "/ldm4j/samplers").statusCode()).isEqualTo(200);
  }

  @org.junit.jupiter.api.Test
  void oversizedBodyIs413() {
    String big = "{\"prompt\":\"" + "a".repeat(70_000) + "\"}";
    HttpResponse<String> r = Http.post(base, "/v1/images/generations", big);
    assertThat(r.statusCode()).isEqualTo(413);
    assertThat(Http.json(r).get("error").get("code").asText()).isEqualTo("request_too_large");
    assertThat(Http.get(base, "/ldm4j/samplers").statusCode()).isEqualTo(200);
  }

  /** Quarkus' own body limit (an empty 413) lies above ldm4j's, so ldm4j's OpenAI 413 is the one clients get. */
  @org.junit.jupiter.api.Test
  void quarkusBodyLimitIsAboveLdm4js() {
    org.eclipse.microprofile.config.Config config = org.eclipse.microprofile.config.ConfigProvider.getConfig();
    long quarkus = new io.quarkus.runtime.configuration.MemorySizeConverter()
        .convert(config.getValue("quarkus.http.limits.max-body-size", String.class)).asLongValue();
    long ldm4j = config.getValue("quarkus.ldm4j.limits.max-request-body-size", Long.class);
    assertThat(quarkus).isGreaterThanOrEqualTo(64L << 20).isGreaterThan(ldm4j);
    assertThat(16L << 20).as("ldm4j's default limit").isLessThan(quarkus);
  }
}
