package io.github.ldm4j.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code serve} with an API key: the ldm4j endpoints and Quarkus' own {@code /q/} endpoints (metrics,
 * OpenAPI, Swagger UI) answer 401 without it, health stays open for load balancers, and the key can
 * come from a file or the environment, so that it does not show in the process list. A missing or
 * empty key file fails the startup naming it.
 */
class ServeApiKeyIT {

  @TempDir Path work;

  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(5)).build();

  private HttpResponse<String> get(ServeProcess serve, String path, String... headers) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(serve.base() + path));
    if (headers.length > 0) {
      b.headers(headers);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  /** Every protected path: 401 with the OpenAI body without the key or with a wrong one, 2xx with it. */
  private void assertGuarded(ServeProcess serve, String key) throws Exception {
    for (String path : List.of("/q/metrics", "/q/openapi", "/q/swagger-ui/", "/ldm4j/samplers", "/sdapi/v1/samplers",
        "/v1/models", "/v1/images/files/../../models", "/q/health/../metrics", "//q/metrics", "/q/health/..%2F..%2Fq/metrics")) {
      HttpResponse<String> none = get(serve, path);
      if (path.contains("%2F")) {
        assertThat(none.statusCode()).as(path).isNotEqualTo(200);
        continue;
      }
      assertThat(none.statusCode()).as(path + ": " + none.body()).isEqualTo(401);
      assertThat(none.body()).contains("\"type\":\"authentication_error\"", "\"code\":\"invalid_api_key\"");
      assertThat(get(serve, path, "Authorization", "Bearer wrong").statusCode()).as(path).isEqualTo(401);
      assertThat(get(serve, path, "Authorization", "Bearer " + key).statusCode()).as(path).isEqualTo(200);
    }
    for (String health : List.of("/q/health", "/q/health/ready", "/q/health/live")) {
      assertThat(get(serve, health).statusCode()).as(health + " stays open").isEqualTo(200);
    }
    // the images' URLs stay open too (the unguessable id is the capability): an unknown one is 404, not 401
    HttpResponse<String> file = get(serve, "/v1/images/files/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA.png");
    assertThat(file.statusCode()).as(file.body()).isEqualTo(404);
    assertThat(file.body()).contains("\"code\":\"image_not_found\"");
    assertThat(ProcessHandle.of(serve.process().pid()).flatMap(h -> h.info().commandLine()).orElse(""))
        .as("the process's command line").isNotEmpty().doesNotContain(key);
  }

  @Test
  void aKeyFileGuardsTheLdm4jAndQuarkusEndpointsButNotHealth() throws Exception {
    Path keyFile = Files.writeString(work.resolve("api-key"), "file-key-1\n");
    try (ServeProcess serve = ServeProcess.start(work, List.of(), List.of("--api-key-file", keyFile.toString()))) {
      assertGuarded(serve, "file-key-1");
    }
  }

  @Test
  void theEnvironmentVariableGivesTheKey() throws Exception {
    try (ServeProcess serve = ServeProcess.start(work, List.of(), List.of(), Map.of("LDM4J_API_KEY", "env-key-2"))) {
      assertGuarded(serve, "env-key-2");
    }
  }

  @Test
  void aMissingOrEmptyKeyFileFailsTheStartupNamingIt() throws Exception {
    AppProcess.Result missing = AppProcess.run(work, "serve", "--port", "0", "--host", "127.0.0.1",
        "--api-key-file", "no-such-key");
    assertThat(missing.exitCode()).as(missing.stderr()).isNotZero();
    assertThat(missing.stderr()).contains("quarkus.ldm4j.api-key-file", work.resolve("no-such-key").toString(),
        "no such file").doesNotContain("\tat ");
    Files.writeString(work.resolve("empty-key"), " \n");
    AppProcess.Result empty = AppProcess.run(work, "serve", "--port", "0", "--host", "127.0.0.1",
        "--api-key-file", "empty-key");
    assertThat(empty.exitCode()).as(empty.stderr()).isNotZero();
    assertThat(empty.stderr()).contains("quarkus.ldm4j.api-key-file", "is empty").doesNotContain("\tat ");
    AppProcess.Result both = AppProcess.run(work, "serve", "--api-key", "k", "--api-key-file", "empty-key");
    assertThat(both.exitCode()).isEqualTo(2);
    assertThat(both.stderr()).contains("--api-key and --api-key-file are mutually exclusive");
  }
}
