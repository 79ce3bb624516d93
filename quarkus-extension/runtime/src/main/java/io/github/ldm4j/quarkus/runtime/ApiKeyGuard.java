package io.github.ldm4j.quarkus.runtime;

import io.quarkus.runtime.StartupEvent;
import io.quarkus.vertx.http.runtime.filters.Filters;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Optional;
import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.ConfigProvider;

/**
 * The API key check ({@code quarkus.ldm4j.api-key} or {@code quarkus.ldm4j.api-key-file}): a Vert.x
 * filter in front of every route of the HTTP server, so that it covers Quarkus' own endpoints as
 * well as ldm4j's. When a key is configured, the ldm4j paths ({@code /v1/}, {@code /sdapi/}, {@code
 * /ldm4j/} under {@code quarkus.http.root-path}) and the non-application paths ({@code /q/…}:
 * metrics, OpenAPI, Swagger UI, …) answer 401 with the OpenAI error body unless the request carries
 * {@code Authorization: Bearer <key>}; health ({@code /q/health/…}) stays open for load balancers
 * and orchestrators, and so do the images' URLs ({@code /v1/images/files/…}, whose unguessable id is
 * the capability, as OpenAI's pre-signed image URLs need no key). The path is checked after normalisation (dot segments, repeated slashes), so
 * {@code /q/health/../metrics} is {@code /q/metrics}. An application's own endpoints are not touched;
 * an application that enables Quarkus' management interface ({@code quarkus.management.enabled}, a
 * build-time property) serves {@code /q/…} on that separate port instead, where this filter does
 * not apply.
 */
@Singleton
public class ApiKeyGuard {

  /** The images of {@code response_format: "url"} (under the root path), open without the key. */
  static final String FILES = "v1/images/files/";

  /** Runs before Quarkus' and the application's own route filters. */
  static final int PRIORITY = 10_000;

  private final Instance<Ldm4jConfig> config;
  private volatile Rules rules;

  /** Takes the configuration lazily (the filters are registered while the router is built). */
  @Inject
  public ApiKeyGuard(Instance<Ldm4jConfig> config) {
    this.config = config;
  }

  /** The key and the paths that need it, resolved once. */
  record Rules(Optional<byte[]> key, String root, String nonApplication, String health) {

    /** Whether {@code path} (normalised) needs the key. */
    boolean protects(String path) {
      String p = path.replaceAll("/{2,}", "/");
      if (p.startsWith(root + FILES)) {
        return false; // the images' URLs: the unguessable id is the capability (OpenAI's URLs need no key either)
      }
      if (p.startsWith(root + "v1/") || p.startsWith(root + "sdapi/") || p.startsWith(root + "ldm4j/")) {
        return true;
      }
      return under(p, nonApplication) && !under(p, health);
    }

    private static boolean under(String path, String prefix) {
      return path.equals(prefix) || path.startsWith(prefix.endsWith("/") ? prefix : prefix + "/");
    }
  }

  private Rules rules() {
    Rules r = rules;
    if (r == null) {
      Ldm4jConfig c = config.get();
      Config all = ConfigProvider.getConfig();
      String root = withSlash(all.getOptionalValue("quarkus.http.root-path", String.class).orElse("/"));
      String nonApp = resolve(root, all.getOptionalValue("quarkus.http.non-application-root-path", String.class)
          .orElse("q"));
      String health = resolve(withSlash(nonApp), all.getOptionalValue("quarkus.smallrye-health.root-path", String.class)
          .orElse("health"));
      r = new Rules(key(c.apiKey(), c.apiKeyFile()), root, nonApp, health);
      rules = r;
    }
    return r;
  }

  private static String withSlash(String path) {
    String p = path.startsWith("/") ? path : "/" + path;
    return p.endsWith("/") ? p : p + "/";
  }

  /** {@code path} relative to {@code base} (ending in '/') unless absolute; without a trailing '/'. */
  static String resolve(String base, String path) {
    String p = path.startsWith("/") ? path : base + path;
    return p.length() > 1 && p.endsWith("/") ? p.substring(0, p.length() - 1) : p;
  }

  /**
   * The configured key, as bytes: {@code key} (blank: none) or the stripped content of {@code file}.
   *
   * @throws IllegalArgumentException when both are set, or the file is missing, unreadable or empty
   *     (the message names the property and the file)
   */
  static Optional<byte[]> key(Optional<String> key, Optional<Path> file) {
    Optional<String> given = key.filter(s -> !s.isBlank());
    if (file.isEmpty()) {
      return given.map(s -> s.getBytes(StandardCharsets.UTF_8));
    }
    if (given.isPresent()) {
      throw new IllegalArgumentException(
          "quarkus.ldm4j.api-key and quarkus.ldm4j.api-key-file are both set; set one of them");
    }
    Path f = file.get();
    String content;
    try {
      content = Files.readString(f, StandardCharsets.UTF_8);
    } catch (IOException | java.io.UncheckedIOException e) {
      throw new IllegalArgumentException("quarkus.ldm4j.api-key-file: cannot read the API key file " + f.toAbsolutePath()
          + " (" + (Files.exists(f) ? e.getClass().getSimpleName() + ": " + e.getMessage() : "no such file") + ")");
      // no cause: the startup failure shows the deepest message, which is this one
    }
    String k = content.strip();
    if (k.isEmpty()) {
      throw new IllegalArgumentException("quarkus.ldm4j.api-key-file: the API key file " + f.toAbsolutePath()
          + " is empty");
    }
    return Optional.of(k.getBytes(StandardCharsets.UTF_8));
  }

  /** Resolves the key at startup, so that a bad key file fails the startup naming it. */
  void onStart(@Observes StartupEvent event) {
    rules();
  }

  /** Registers the filter. */
  void register(@Observes Filters filters) {
    filters.register(this::check, PRIORITY);
  }

  private void check(RoutingContext rc) {
    Rules r = rules();
    // OPTIONS (a browser's CORS preflight, which never carries credentials) reveals nothing and runs nothing
    if (r.key().isEmpty() || rc.request().method() == io.vertx.core.http.HttpMethod.OPTIONS
        || !r.protects(rc.normalizedPath())) {
      rc.next();
      return;
    }
    String auth = rc.request().getHeader(HttpHeaders.AUTHORIZATION);
    String given = auth != null && auth.regionMatches(true, 0, "Bearer ", 0, 7) ? auth.substring(7).trim() : null;
    if (given != null && MessageDigest.isEqual(r.key().get(), given.getBytes(StandardCharsets.UTF_8))) {
      rc.next();
      return;
    }
    String message = given == null ? "missing API key: send 'Authorization: Bearer <key>'" : "incorrect API key";
    rc.response().setStatusCode(401)
        .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
        .putHeader("WWW-Authenticate", "Bearer")
        .end("{\"error\":{\"message\":\"" + message + "\",\"type\":\"authentication_error\",\"param\":null,"
            + "\"code\":\"invalid_api_key\"}}");
  }
}
