package io.github.ldm4j.quarkus.deployment;

import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.QuarkusUnitTest;
import io.quarkus.test.common.http.TestHTTPResource;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Arrays;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * With the default limits, ldm4j's body limit (16 MiB) is the one that applies: the extension
 * raises Quarkus' {@code quarkus.http.limits.max-body-size} default (10240K) to 64M, so a body of
 * 11 MiB reaches ldm4j (here: a JSON error naming the malformed body) and one of 17 MiB gets
 * ldm4j's 413 with the OpenAI body, not Quarkus' empty one.
 */
class HttpBodyLimitTest {

  private static final int MIB = 1 << 20;

  @RegisterExtension
  static final QuarkusUnitTest APP = new QuarkusUnitTest()
      .withApplicationRoot(jar -> jar.addClass(TestModels.class))
      .overrideConfigKey("quarkus.ldm4j.model.path", TestModels.shapes128());

  @TestHTTPResource("/") URI base;

  @Test
  void quarkusLimitDefaultsAboveLdm4js() {
    assertThat(ConfigProvider.getConfig().getValue("quarkus.http.limits.max-body-size", String.class))
        .isEqualTo("64M");
  }

  @Test
  void bodyBetweenQuarkusOldDefaultAndLdm4jLimitReachesLdm4j() throws Exception {
    HttpResponse<String> r = post(11 * MIB);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
    assertThat(r.body()).contains("\"invalid_request_error\"").contains("malformed JSON");
  }

  @Test
  void bodyOverLdm4jLimitGetsTheOpenAiError() throws Exception {
    HttpResponse<String> r = post(17 * MIB);
    assertThat(r.statusCode()).isEqualTo(413);
    assertThat(r.body()).contains("\"request_too_large\"").contains("exceeds the limit of 16777216 bytes");
  }

  private HttpResponse<String> post(int bytes) throws Exception {
    byte[] body = new byte[bytes];
    Arrays.fill(body, (byte) 'x');
    try (HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()) {
      return client.send(HttpRequest.newBuilder(base.resolve("/v1/images/generations"))
          .header("Content-Type", "application/json").timeout(Duration.ofMinutes(1))
          .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
    }
  }
}
