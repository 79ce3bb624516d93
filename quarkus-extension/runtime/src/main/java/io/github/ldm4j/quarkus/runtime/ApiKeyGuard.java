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
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.ConfigProvider;

/**
 * The API key check ({@code quarkus.ldm4j.api-key} or {@code quarkus.ldm4j.api-key-file}), and
 * AUTOMATIC1111's HTTP Basic credentials ({@code quarkus.ldm4j.api-auth}): a Vert.x
 * filter in front of every route of the HTTP server, so that it covers Quarkus' own endpoints as
 * well as ldm4j's. When a key is configured, the ldm4j paths ({@code /v1/}, {@code /sdapi/}, {@code
 * /ldm4j/} under {@code quarkus.http.root-path}) and the non-application paths ({@code /q/…}:
 * metrics, OpenAPI, Swagger UI, …) answer 401 with the OpenAI error body unless the request carries
 * {@code Authorization: Bearer <key>} (or, with {@code api-auth}, {@code Authorization: Basic} with
 * one of its credentials; the 401 then carries {@code WWW-Authenticate: Basic}); health ({@code /q/health/…}) stays open for load balancers
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

  /**
   * The key, the Basic credentials ({@code user:password} as bytes) and the paths that need one of
   * them, resolved once.
   */
  record Rules(Optional<byte[]> key, List<byte[]> basic, String root, String nonApplication, String health) {

    /** Whether a key or Basic credentials are configured. */
    boolean guarded() {
      return key.isPresent() || !basic.isEmpty();
    }

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
      r = new Rules(key(c.apiKey(), c.apiKeyFile()), basic(c.apiAuth()), root, nonApp, health);
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

  /**
   * The {@code user:password} credentials of {@code apiAuth} (comma-separated; blank: none), as UTF-8
   * bytes.
   *
   * @throws IllegalArgumentException naming {@code quarkus.ldm4j.api-auth} and the entry's position
   *     (never its content) when an entry has no ':' or an empty user name
   */
  static List<byte[]> basic(Optional<String> apiAuth) {
    if (apiAuth.isEmpty() || apiAuth.get().isBlank()) {
      return List.of();
    }
    List<byte[]> out = new ArrayList<>();
    String[] entries = apiAuth.get().split(",", -1);
    for (int i = 0; i < entries.length; i++) {
      String e = entries[i].strip();
      int colon = e.indexOf(':');
      if (colon <= 0) {
        throw new IllegalArgumentException("quarkus.ldm4j.api-auth: credential " + (i + 1) + " of " + entries.length
            + " is not 'user:password' (" + (e.isEmpty() ? "empty" : colon < 0 ? "no ':'" : "empty user name") + ")");
      }
      out.add(e.getBytes(StandardCharsets.UTF_8));
    }
    return List.copyOf(out);
  }

  /**
   * Whether {@code given} equals one of {@code credentials}, compared in time independent of where
   * they differ ({@link MessageDigest#isEqual}) and always against all of them.
   */
  static boolean anyEqual(List<byte[]> credentials, byte[] given) {
    boolean found = false;
    for (byte[] c : credentials) {
      found |= MessageDigest.isEqual(c, given);
    }
    return found;
  }

  /** Resolves the key at startup, so that a bad key file fails the startup naming it. */
  void onStart(@Observes StartupEvent event) {
    rules();
  }

  /** Registers the filter. */
  void register(@Observes Filters filters) {
    filters.register(this::check, PRIORITY);
  }

  /** The decoded {@code user:password} of a Basic header's {@code b64}; an empty array when it is not base64. */
  private static byte[] basicCredentials(String b64) {
    try {
      return Base64.getDecoder().decode(b64.trim());
    } catch (IllegalArgumentException e) {
      return new byte[0];
    }
  }

  private void check(RoutingContext rc) {
    Rules r = rules();
    // OPTIONS (a browser's CORS preflight, which never carries credentials) reveals nothing and runs nothing
    if (!r.guarded() || rc.request().method() == io.vertx.core.http.HttpMethod.OPTIONS
        || !r.protects(rc.normalizedPath())) {
      rc.next();
      return;
    }
    String auth = rc.request().getHeader(HttpHeaders.AUTHORIZATION);
    String bearer = auth != null && auth.regionMatches(true, 0, "Bearer ", 0, 7) ? auth.substring(7).trim() : null;
    if (bearer != null && r.key().isPresent()
        && MessageDigest.isEqual(r.key().get(), bearer.getBytes(StandardCharsets.UTF_8))) {
      rc.next();
      return;
    }
    byte[] basic = auth != null && auth.regionMatches(true, 0, "Basic ", 0, 6) ? basicCredentials(auth.substring(6)) : null;
    if (basic != null && anyEqual(r.basic(), basic)) {
      rc.next();
      return;
    }
    String message;
    if (bearer != null && r.key().isPresent()) {
      message = "incorrect API key";
    } else if (basic != null && !r.basic().isEmpty()) {
      message = "incorrect user or password";
    } else {
      message = "missing " + (r.key().isPresent() ? "API key: send 'Authorization: Bearer <key>'" : "credentials")
          + (r.basic().isEmpty() ? "" : (r.key().isPresent() ? " or" : ": send") + " 'Authorization: Basic <base64 user:password>'");
    }
    var response = rc.response().setStatusCode(401).putHeader(HttpHeaders.CONTENT_TYPE, "application/json");
    if (r.key().isPresent()) {
      response.headers().add("WWW-Authenticate", "Bearer");
    }
    if (!r.basic().isEmpty()) {
      response.headers().add("WWW-Authenticate", "Basic realm=\"ldm4j\", charset=\"UTF-8\"");
    }
    response.end("{\"error\":{\"message\":\"" + message + "\",\"type\":\"authentication_error\",\"param\":null,"
            + "\"code\":\"invalid_api_key\"}}");
  }
}
