package io.github.ldm4j.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code serve --api-auth user:password[,…]}: AUTOMATIC1111's HTTP Basic scheme on the endpoints the
 * API key guards, alone or beside {@code --api-key}; 401 with {@code WWW-Authenticate: Basic}
 * otherwise; health stays open; the credentials are never printed; a malformed value fails the
 * startup naming the property but not the secret.
 */
class ServeApiAuthIT {

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

  private static String basic(String credentials) {
    return "Basic " + Base64.getEncoder().encodeToString(credentials.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void basicCredentialsGuardTheLdm4jEndpointsButNotHealth() throws Exception {
    try (ServeProcess serve = ServeProcess.start(work, List.of(), List.of("--api-auth", "alice:s3cret-1,bob:pa:ss-2"))) {
      for (String path : List.of("/sdapi/v1/options", "/sdapi/v1/sd-models", "/ldm4j/models", "/ldm4j/samplers",
          "/q/metrics")) {
        HttpResponse<String> none = get(serve, path);
        assertThat(none.statusCode()).as(path).isEqualTo(401);
        assertThat(none.headers().allValues("WWW-Authenticate")).as(path).containsExactly("Basic realm=\"ldm4j\", charset=\"UTF-8\"");
        assertThat(none.body()).contains("\"type\":\"authentication_error\"", "Authorization: Basic");
        HttpResponse<String> wrong = get(serve, path, "Authorization", basic("alice:s3cret-2"));
        assertThat(wrong.statusCode()).as(path).isEqualTo(401);
        assertThat(wrong.body()).contains("incorrect user or password");
        assertThat(get(serve, path, "Authorization", "Basic %%%").statusCode()).as(path).isEqualTo(401);
        assertThat(get(serve, path, "Authorization", "Bearer s3cret-1").statusCode()).as(path).isEqualTo(401);
        assertThat(get(serve, path, "Authorization", basic("alice:s3cret-1")).statusCode()).as(path).isEqualTo(200);
        // a password may hold ':'; the scheme name is case-insensitive
        assertThat(get(serve, path, "Authorization", "basic " + basic("bob:pa:ss-2").substring(6)).statusCode()).as(path)
            .isEqualTo(200);
      }
      assertThat(get(serve, "/q/health/ready").statusCode()).isEqualTo(200);
      String flags = get(serve, "/sdapi/v1/cmd-flags", "Authorization", basic("alice:s3cret-1")).body();
      assertThat(flags).contains("\"api_auth\":\"set\"").doesNotContain("s3cret");
      assertThat(serve.stdout() + serve.stderr()).doesNotContain("s3cret", "pa:ss");
    }
  }

  @Test
  void basicAndTheApiKeyAreBothAccepted() throws Exception {
    try (ServeProcess serve = ServeProcess.start(work, List.of(), List.of("--api-auth", "carol:pw-3", "--api-key", "key-3"))) {
      HttpResponse<String> none = get(serve, "/sdapi/v1/options");
      assertThat(none.statusCode()).isEqualTo(401);
      assertThat(none.headers().allValues("WWW-Authenticate")).containsExactly("Bearer",
          "Basic realm=\"ldm4j\", charset=\"UTF-8\"");
      assertThat(get(serve, "/sdapi/v1/options", "Authorization", "Bearer key-3").statusCode()).isEqualTo(200);
      assertThat(get(serve, "/sdapi/v1/options", "Authorization", basic("carol:pw-3")).statusCode()).isEqualTo(200);
      assertThat(get(serve, "/sdapi/v1/options", "Authorization", "Bearer pw-3").statusCode()).isEqualTo(401);
    }
  }

  @Test
  void aMalformedValueFailsTheStartupWithoutShowingIt() throws Exception {
    AppProcess.Result bad = AppProcess.run(work, "serve", "--port", "0", "--host", "127.0.0.1",
        "--api-auth", "dave:pw-4,secretwithoutcolon");
    assertThat(bad.exitCode()).as(bad.stderr()).isNotZero();
    assertThat(bad.stderr()).contains("quarkus.ldm4j.api-auth", "credential 2 of 2", "no ':'")
        .doesNotContain("secretwithoutcolon", "pw-4", "\tat ");
  }
}
