package io.github.ldm4j.queue;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Where the job queue lives: a Redis server, {@code redis://HOST:PORT[/DB]} (or {@code rediss://}
 * for TLS, with an optional {@code user:password@}), or the master that Redis Sentinels name,
 * {@code redis-sentinel://HOST:PORT[,HOST:PORT…]/MASTERNAME} (a port defaults to Sentinel's 26379;
 * an optional {@code user:password@} applies to the sentinels and the master alike).
 *
 * @param kind the broker
 * @param uri its address
 */
public record QueueAddress(Kind kind, URI uri) {

  /** The port of a sentinel given without one. */
  public static final int DEFAULT_SENTINEL_PORT = 26379;

  /** The brokers a queue can live on. */
  public enum Kind {
    /** Redis Streams with a consumer group, on one Redis server. */
    REDIS,
    /**
     * Redis Streams with a consumer group, on the master that Redis Sentinels name: clients follow a
     * failover, and a job is accepted only once a replica has it (so a failover loses none).
     */
    REDIS_SENTINEL
  }

  /** Validates. */
  public QueueAddress {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(uri, "uri");
    switch (kind) {
      case REDIS -> {
        if (uri.getHost() == null || uri.getHost().isBlank()) {
          throw new IllegalArgumentException("queue address " + uri + " names no host; expected redis://HOST:PORT");
        }
      }
      case REDIS_SENTINEL -> {
        sentinels(uri); // validates
        masterName(uri);
      }
    }
  }

  /**
   * Parses {@code text}.
   *
   * @throws IllegalArgumentException naming the text unless it is a {@code redis://} or {@code
   *     rediss://} URI with a host, or a {@code redis-sentinel://} URI with sentinels and a master name
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
    if ("redis-sentinel".equals(scheme)) {
      try {
        return new QueueAddress(Kind.REDIS_SENTINEL, uri);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("queue address '" + text + "': " + e.getMessage(), e);
      }
    }
    if (!"redis".equals(scheme) && !"rediss".equals(scheme)) {
      throw new IllegalArgumentException("queue address '" + text + "' is not a redis:// URI (redis://HOST:PORT, or "
          + "redis-sentinel://HOST:PORT[,HOST:PORT...]/MASTERNAME)");
    }
    return new QueueAddress(Kind.REDIS, uri);
  }

  /**
   * The Redis connection strings to dial: the server's, or each sentinel's ({@code
   * redis://[user:password@]HOST:PORT}).
   */
  public List<String> endpoints() {
    return switch (kind) {
      case REDIS -> List.of(uri.toString());
      case REDIS_SENTINEL -> {
        String credentials = userInfo(uri).map(u -> u + "@").orElse("");
        yield sentinels(uri).stream().map(s -> "redis://" + credentials + s).toList();
      }
    };
  }

  /** The master's name with Sentinel, empty for one server. */
  public Optional<String> masterName() {
    return kind == Kind.REDIS_SENTINEL ? Optional.of(masterName(uri)) : Optional.empty();
  }

  private static Optional<String> userInfo(URI uri) {
    String authority = uri.getRawAuthority();
    int at = authority == null ? -1 : authority.lastIndexOf('@');
    return at < 0 ? Optional.empty() : Optional.of(authority.substring(0, at));
  }

  /** The {@code HOST:PORT}s of a sentinel URI. */
  private static List<String> sentinels(URI uri) {
    String authority = uri.getRawAuthority();
    if (authority == null || authority.isBlank()) {
      throw new IllegalArgumentException("names no sentinel; expected redis-sentinel://HOST:PORT[,HOST:PORT...]/MASTERNAME");
    }
    int at = authority.lastIndexOf('@');
    List<String> out = new ArrayList<>();
    for (String part : authority.substring(at + 1).split(",", -1)) {
      String p = part.trim();
      int colon = p.lastIndexOf(':');
      String host = colon < 0 ? p : p.substring(0, colon);
      if (host.isEmpty()) {
        throw new IllegalArgumentException("sentinel '" + part + "' names no host");
      }
      int port = DEFAULT_SENTINEL_PORT;
      if (colon >= 0) {
        try {
          port = Integer.parseInt(p.substring(colon + 1));
        } catch (NumberFormatException e) {
          throw new IllegalArgumentException("sentinel '" + part + "' has no valid port", e);
        }
        if (port < 1 || port > 65535) {
          throw new IllegalArgumentException("sentinel '" + part + "' has a port outside 1..65535");
        }
      }
      out.add(host + ":" + port);
    }
    return out;
  }

  private static String masterName(URI uri) {
    String path = uri.getPath();
    String name = path == null ? "" : path.startsWith("/") ? path.substring(1) : path;
    if (name.isBlank() || name.contains("/")) {
      throw new IllegalArgumentException("names no master; expected redis-sentinel://HOST:PORT[,HOST:PORT...]/MASTERNAME");
    }
    return name;
  }

  /** The address without credentials, for messages and logs. */
  @Override
  public String toString() {
    return switch (kind) {
      case REDIS -> uri.getScheme() + "://" + uri.getHost() + (uri.getPort() >= 0 ? ":" + uri.getPort() : "")
          + (uri.getPath() == null ? "" : uri.getPath());
      case REDIS_SENTINEL -> "redis-sentinel://" + String.join(",", sentinels(uri)) + "/" + masterName(uri);
    };
  }
}
