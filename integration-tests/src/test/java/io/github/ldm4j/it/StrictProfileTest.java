package io.github.ldm4j.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * With an API key and a 1 ms request timeout: 401 without the key (ldm4j's endpoints and Quarkus'
 * own but health), 504 for a generation that does
 * not finish in time (held by the {@link GateSampler}, so it never can).
 */
@QuarkusTest
@QuarkusTestResource(ShapesModelResource.class)
@TestProfile(StrictProfileTest.Strict.class)
class StrictProfileTest extends GatedHttpTest {

  /** API key "s3cret", request timeout 1 ms. */
  public static class Strict implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      return Map.of("quarkus.ldm4j.api-key", "s3cret", "quarkus.ldm4j.limits.request-timeout", "1ms");
    }
  }

  private static final String[] KEY = {"Authorization", "Bearer s3cret"};

  @Override
  String[] headers() {
    return KEY;
  }

  @Test
  void missingOrWrongKeyIs401() {
    HttpResponse<String> none = Http.get(base, "/ldm4j/samplers");
    assertThat(none.statusCode()).isEqualTo(401);
    assertThat(Http.json(none).get("error").get("type").asText()).isEqualTo("authentication_error");
    HttpResponse<String> wrong = Http.post(base, "/v1/images/generations", "{\"prompt\":\"a red circle\"}",
        "Authorization", "Bearer nope");
    assertThat(wrong.statusCode()).isEqualTo(401);
    assertThat(Http.json(wrong).get("error").get("code").asText()).isEqualTo("invalid_api_key");
    assertThat(Http.get(base, "/ldm4j/samplers", "Authorization", "Bearer s3cret").statusCode()).isEqualTo(200);
  }

  @Test
  void quarkusEndpointsNeedTheKeyButHealthDoesNot() {
    for (String path : List.of("/q/metrics", "/q/openapi")) {
      HttpResponse<String> none = Http.get(base, path);
      assertThat(none.statusCode()).as(path).isEqualTo(401);
      assertThat(Http.json(none).get("error").get("code").asText()).isEqualTo("invalid_api_key");
      assertThat(none.headers().firstValue("WWW-Authenticate")).contains("Bearer");
      assertThat(Http.get(base, path, KEY).statusCode()).as(path).isEqualTo(200);
    }
    assertThat(Http.get(base, "/q/health/ready").statusCode()).isEqualTo(200);
    assertThat(Http.get(base, "/q/health/live").statusCode()).isEqualTo(200);
    // a CORS preflight carries no credentials and runs nothing: not refused
    HttpResponse<String> preflight = Http.send(java.net.http.HttpRequest.newBuilder(base.resolve("/v1/images/generations"))
        .method("OPTIONS", java.net.http.HttpRequest.BodyPublishers.noBody()));
    assertThat(preflight.statusCode()).as(preflight.body()).isNotEqualTo(401);
  }

  @Test
  void generationOverTheTimeoutIs504AndItsTaskEndsCancelled() throws Exception {
    double before = cancelledByTimeout();
    HttpResponse<String> r = Http.post(base, "/v1/images/generations",
        "{\"prompt\":\"a red circle\",\"steps\":10,\"sampler\":\"" + GateSampler.NAME + "\",\"task_id\":\"slow\"}", KEY);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(504);
    assertThat(Http.json(r).get("error").get("type").asText()).isEqualTo("timeout_error");
    try (TaskStream stream = TaskStream.open(base, "slow", "Authorization", "Bearer s3cret")) {
      JsonNode last = stream.rest().getLast();
      assertThat(last.get("event").asText()).isEqualTo("cancelled");
      assertThat(last.get("reason").asText()).isEqualTo("timeout");
    }
    assertThat(cancelledByTimeout()).isEqualTo(before + 1);
    // the cancelled generation frees its slot: the server keeps answering
    assertThat(Http.get(base, "/ldm4j/models", "Authorization", "Bearer s3cret").statusCode()).isEqualTo(200);
  }

  private double cancelledByTimeout() {
    return Http.get(base, "/q/metrics", KEY).body().lines()
        .filter(l -> l.startsWith("ldm4j_cancelled_total{") && l.contains("reason=\"timeout\""))
        .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
  }

  @Test
  void aSubscriberWhoseRequestNeverComesIsEndedAfterTheRequestTimeout() throws Exception {
    try (TaskStream stream = TaskStream.open(base, "never-sent", "Authorization", "Bearer s3cret")) {
      List<JsonNode> events = stream.rest();
      assertThat(events).hasSize(1);
      assertThat(events.getFirst().get("event").asText()).isEqualTo("failed");
      assertThat(events.getFirst().get("message").asText()).contains("never-sent").contains("arrived within");
    }
  }
}
