package io.github.ldm4j.queue;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Objects;

/**
 * Where the job queue lives: today a Redis server, {@code redis://HOST:PORT[/DB]} (or {@code
 * rediss://} for TLS, with an optional {@code user:password@}).
 *
 * @param kind the broker
 * @param uri its address
 */
public record QueueAddress(Kind kind, URI uri) {

  /** The brokers a queue can live on. */
  public enum Kind {
    /** Redis Streams with a consumer group. */
    REDIS
  }

  /** Validates. */
  public QueueAddress {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(uri, "uri");
    if (uri.getHost() == null || uri.getHost().isBlank()) {
      throw new IllegalArgumentException("queue address " + uri + " names no host; expected redis://HOST:PORT");
    }
  }

  /**
   * Parses {@code text}.
   *
   * @throws IllegalArgumentException naming the text unless it is a {@code redis://} or {@code
   *     rediss://} URI with a host
   */
  public static QueueAddress parse(String text) {
    Objects.requireNonNull(text, "text");
    URI uri;
    try {
      uri = new URI(text.trim());
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("queue address '" + text + "' is not a URI: " + e.getMessage(), e);
    }
    String scheme = uri.getScheme();
    if (!"redis".equals(scheme) && !"rediss".equals(scheme)) {
      throw new IllegalArgumentException("queue address '" + text + "' is not a redis:// URI (redis://HOST:PORT)");
    }
    return new QueueAddress(Kind.REDIS, uri);
  }

  /** The address without credentials, for messages and logs. */
  @Override
  public String toString() {
    return uri.getScheme() + "://" + uri.getHost() + (uri.getPort() >= 0 ? ":" + uri.getPort() : "")
        + (uri.getPath() == null ? "" : uri.getPath());
  }
}
