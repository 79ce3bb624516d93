package io.github.ldm4j.quarkus.runtime.rest;

import io.github.ldm4j.generate.GeneratedImage;
import io.github.ldm4j.quarkus.runtime.ImageStore;
import io.github.ldm4j.quarkus.runtime.Ldm4jConfig;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.http.HttpServerRequest;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.jboss.resteasy.reactive.RestPath;

/**
 * {@code GET /v1/images/files/{id}.png}: the images of {@code response_format: "url"}, and the
 * {@link ImageStore} holding them, which this bean owns (created at startup from {@code
 * quarkus.ldm4j.images.*}, a bad value failing the startup naming its property; its folder is made
 * by the first URL answered, under {@code quarkus.ldm4j.images.dir}; closed — every image
 * deleted — when the application stops). The files need no API key ({@code ApiKeyGuard}): an id is
 * {@value ImageStore#ID_BYTES} random bytes, the capability to read that one image, as OpenAI's
 * pre-signed URLs are.
 */
@Path("/v1/images/files")
@Singleton
public class OpenAiImageFilesResource {

  /**
   * {@code host[:port]}: a host name (RFC 1123 labels) or IPv4 address, or a bracketed IPv6 address,
   * and an optional port of up to 5 digits — nothing else (no user info, path, spaces).
   */
  private static final Pattern AUTHORITY = Pattern.compile(
      "((?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\\.?"
      + "|\\[[0-9A-Fa-f:.]{2,45}\\]))(?::([0-9]{1,5}))?");

  /** A path prefix as a request line carries it: unreserved characters, sub-delims, ':', '@', '%' escapes. */
  private static final Pattern PATH = Pattern.compile("(?:/[A-Za-z0-9._~!$&'()*+,;=:@-]*|/%[0-9A-Fa-f]{2})*/?");

  private final ImageStore store;
  private final Optional<URI> publicBaseUrl;

  /**
   * Creates the store.
   *
   * @throws IllegalArgumentException naming the property of a bad {@code quarkus.ldm4j.images.*} value
   */
  @Inject
  public OpenAiImageFilesResource(Ldm4jConfig config) {
    Ldm4jConfig.Images c = config.images();
    this.publicBaseUrl = c.publicBaseUrl().filter(s -> !s.isBlank()).map(OpenAiImageFilesResource::publicBaseUrl);
    double strength = c.variationStrength();
    if (!(strength > 0 && strength <= 1)) {
      throw new IllegalArgumentException("quarkus.ldm4j.images.variation-strength must be in (0, 1], got " + strength);
    }
    ImageStore.Settings settings = new ImageStore.Settings(c.dir(), c.urlTtl(), c.maxFiles(), c.maxSize().asLongValue());
    this.store = new ImageStore(settings, InstantSource.system());
  }

  /** Creates the store (and checks its configuration) at startup. */
  void onStart(@Observes StartupEvent event) {
    store.count();
  }

  /** Deletes every image. */
  @PreDestroy
  void close() {
    store.close();
  }

  /** The store. */
  public ImageStore store() {
    return store;
  }

  /**
   * {@code value} of {@code quarkus.ldm4j.images.public-base-url} as a base URL (ending in '/').
   *
   * @throws IllegalArgumentException naming the property unless it is an absolute http(s) URL with a
   *     host and no query, fragment or user info
   */
  static URI publicBaseUrl(String value) {
    String v = value.strip();
    try {
      URI u = new URI(v);
      String scheme = u.getScheme() == null ? "" : u.getScheme().toLowerCase(Locale.ROOT);
      if (!(scheme.equals("http") || scheme.equals("https")) || u.getHost() == null || u.getRawQuery() != null
          || u.getRawFragment() != null || u.getRawUserInfo() != null) {
        throw new URISyntaxException(v, "not an http(s) URL with a host and without query, fragment or user info");
      }
      return v.endsWith("/") ? u : new URI(v + "/");
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("quarkus.ldm4j.images.public-base-url: '" + v + "' is " + e.getReason()
          + " (e.g. https://images.example.com/ldm4j)");
    }
  }

  /**
   * Where this request's images will be found: {@code base/v1/images/files/} with {@code base} the
   * configured public base URL, else the request's scheme and authority (Quarkus applies the {@code
   * Forwarded} / {@code X-Forwarded-*} headers to them when its proxy handling is configured) and the
   * path up to the request's {@code /images/} (root path and forwarded prefix included). Called before
   * the generation, so that a bad {@code Host} costs nothing.
   *
   * @throws ApiException 400 for a {@code Host} (or forwarded host) that is not {@code host[:port]},
   *     or a request without one
   */
  public String filesUrl(HttpServerRequest request) {
    if (publicBaseUrl.isPresent()) {
      return publicBaseUrl.get() + "v1/images/files/";
    }
    @SuppressWarnings("deprecation") // the Host (or forwarded host), which authority() parses leniently
    String host = request.host();
    // the Host header as sent: Quarkus' proxy handling rewrites it as it parsed it
    return filesUrl(request.scheme(), host, request.getHeader("Host"), request.path());
  }

  /**
   * {@link #filesUrl(HttpServerRequest)} of a request's parts: {@code scheme}, the host {@code raw}
   * (forwarded or not), the {@code Host} header as {@code sent} (null: none) and the {@code path}.
   *
   * @return an absolute http(s) URL without user info, query or fragment, ending in {@code /images/files/}
   * @throws ApiException 400 unless {@code raw} and {@code sent} are {@code host[:port]}
   */
  static String filesUrl(String schemeGiven, String raw, String sent, String pathGiven) {
    String scheme = schemeGiven == null ? "" : schemeGiven.toLowerCase(Locale.ROOT);
    Matcher m = raw == null ? null : AUTHORITY.matcher(raw);
    if (!(scheme.equals("http") || scheme.equals("https")) || m == null || !m.matches()
        || (sent != null && !AUTHORITY.matcher(sent).matches())
        || (m.group(2) != null && Integer.parseInt(m.group(2)) > 65535)) {
      throw ApiException.invalid(null, "response_format 'url' needs the server's address: the request's Host header "
          + "(or forwarded host) is " + (raw == null ? "missing" : "not host[:port]")
          + "; send a valid Host or set quarkus.ldm4j.images.public-base-url");
    }
    String host = m.group(1);
    int port = m.group(2) == null ? -1 : Integer.parseInt(m.group(2));
    String path = pathGiven == null ? "/" : pathGiven;
    int images = path.lastIndexOf("/images/");
    String prefix = images < 0 ? "/v1" : path.substring(0, images);
    if (!PATH.matcher(prefix).matches()) {
      prefix = "/v1";
    }
    boolean defaultPort = port < 0 || (scheme.equals("http") && port == 80) || (scheme.equals("https") && port == 443);
    String url = scheme + "://" + host.toLowerCase(Locale.ROOT) + (defaultPort ? "" : ":" + port) + prefix
        + "/images/files/";
    try { // the last word: e.g. "[::::]" has host[:port] syntax but is no IPv6 address
      URI u = new URI(url);
      if (u.getHost() != null && u.getRawUserInfo() == null && u.getRawQuery() == null && u.getRawFragment() == null) {
        return url;
      }
    } catch (URISyntaxException e) {
      // refused below
    }
    throw ApiException.invalid(null, "response_format 'url' needs the server's address: the request's Host header "
        + "(or forwarded host) is not a valid host[:port]; send a valid Host or set quarkus.ldm4j.images.public-base-url");
  }

  /**
   * Stores a response's images and returns their URLs ({@code filesUrl} + id + {@code .png}).
   *
   * @throws ApiException 507 when they exceed the store's bounds or cannot be written
   */
  public List<String> store(List<GeneratedImage> images, String filesUrl) {
    try {
      return store.put(images.stream().map(GeneratedImage::png).toList()).stream()
          .map(s -> filesUrl + s.id() + ".png").toList();
    } catch (ImageStore.TooLargeException e) {
      throw new ApiException(507, "server_error", "response_format", "image_store_full", e.getMessage()
          + "; ask for fewer images or response_format 'b64_json'", null);
    } catch (IOException e) {
      throw new ApiException(507, "server_error", "response_format", "image_store_failed",
          "cannot store the images for their URLs (quarkus.ldm4j.images.dir): " + e.getMessage()
          + "; response_format 'b64_json' needs no storage",
          null);
    }
  }

  /**
   * The image of a URL ({@code id} or {@code id.png}): {@code image/png} with {@code Cache-Control:
   * private, max-age=} the seconds it has left; 404 with the OpenAI error body when it is unknown or
   * expired.
   */
  @GET
  @Path("/{file}")
  @APIResponse(responseCode = "200", description = "the PNG", content = @Content(mediaType = "image/png"))
  @APIResponse(responseCode = "404", description = "an OpenAI error body: unknown or expired",
      content = @Content(mediaType = "application/json", schema = @Schema(implementation = ApiError.class)))
  public Response file(@RestPath String file) {
    String id = file.endsWith(".png") ? file.substring(0, file.length() - 4) : file;
    Optional<ImageStore.Found> found = store.get(id);
    if (found.isEmpty()) {
      throw new ApiException(404, "invalid_request_error", null, "image_not_found",
          "no such image: it is unknown or expired (images are kept " + store.settings().ttl() + ")", null);
    }
    long left = Math.max(0, Duration.between(Instant.now(), found.get().expires()).toSeconds());
    return Response.ok(found.get().png(), "image/png")
        .header("Cache-Control", "private, max-age=" + left)
        .header("X-Content-Type-Options", "nosniff")
        .build();
  }
}
