package io.github.ldm4j.quarkus.runtime.rest;

import io.github.ldm4j.quarkus.runtime.Ldm4jConfig;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Response;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Optional;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * When {@code quarkus.ldm4j.api-key} is set, the ldm4j endpoints ({@code /v1/}, {@code /sdapi/},
 * {@code /ldm4j/}) require {@code Authorization: Bearer <key>} and answer 401 otherwise.
 */
public class ApiKeyFilter {

  private final Optional<byte[]> key;

  ApiKeyFilter(Ldm4jConfig config) {
    this.key = config.apiKey().filter(k -> !k.isBlank()).map(k -> k.getBytes(StandardCharsets.UTF_8));
  }

  @ServerRequestFilter
  Optional<Response> check(ContainerRequestContext ctx) {
    if (key.isEmpty()) {
      return Optional.empty();
    }
    String path = ctx.getUriInfo().getPath();
    if (!(path.startsWith("/v1/") || path.startsWith("/sdapi/") || path.startsWith("/ldm4j/"))) {
      return Optional.empty();
    }
    String auth = ctx.getHeaderString("Authorization");
    String given = auth != null && auth.regionMatches(true, 0, "Bearer ", 0, 7) ? auth.substring(7).trim() : null;
    if (given != null && MessageDigest.isEqual(key.get(), given.getBytes(StandardCharsets.UTF_8))) {
      return Optional.empty();
    }
    return Optional.of(new ApiException(401, "authentication_error", null, "invalid_api_key",
        given == null ? "missing API key: send 'Authorization: Bearer <key>'" : "incorrect API key", null).toResponse());
  }
}
