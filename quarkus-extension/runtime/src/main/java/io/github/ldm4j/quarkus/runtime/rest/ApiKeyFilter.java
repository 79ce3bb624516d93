package io.github.ldm4j.quarkus.runtime.rest;

import io.github.ldm4j.quarkus.runtime.Ldm4jConfig;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
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
@Singleton
public class ApiKeyFilter {

  private final Instance<Ldm4jConfig> config;
  private volatile Optional<byte[]> key;

  /**
   * Takes the configuration lazily: Quarkus REST creates filters at static init, before the
   * runtime configuration exists.
   */
  @Inject
  public ApiKeyFilter(Instance<Ldm4jConfig> config) {
    this.config = config;
  }

  private Optional<byte[]> key() {
    Optional<byte[]> k = key;
    if (k == null) {
      k = config.get().apiKey().filter(s -> !s.isBlank()).map(s -> s.getBytes(StandardCharsets.UTF_8));
      key = k;
    }
    return k;
  }

  /** 401 unless the request carries the key (only when a key is configured, only on ldm4j paths). */
  @ServerRequestFilter
  public Optional<Response> check(ContainerRequestContext ctx) {
    Optional<byte[]> key = key();
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
