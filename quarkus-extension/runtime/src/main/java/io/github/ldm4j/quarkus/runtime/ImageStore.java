package io.github.ldm4j.quarkus.runtime;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The images of the OpenAI API's {@code response_format: "url"}: PNGs kept on disk for a fixed time
 * and found by an unguessable id ({@value #ID_BYTES} bytes of {@link SecureRandom}, base64url: the id
 * is the capability to read the image, as OpenAI's pre-signed URLs are).
 *
 * <p>On disk, not in memory: a response's PNGs are up to a few MB each and a store holds up to
 * {@code max-files} of them for an hour, which would otherwise sit on the heap. Only the index (id,
 * file, size, expiry) is in memory.
 *
 * <p>Bounded by a file count and a total size. An image lives {@code ttl} at most: expired images are
 * deleted by a sweep every {@link #sweepPeriod half the TTL} (between 100 ms and 1 min) and on every
 * access. When storing a response would exceed a bound, the oldest images are deleted first (their
 * URLs answer 404 before their time) — a full store never refuses new requests, which a client could
 * otherwise cause for everyone for a whole TTL; clients fetch their URLs right after the response.
 * Only a response whose own images exceed a bound is refused ({@link TooLargeException}).
 *
 * <p>Ownership: the store owns its folder — a new {@code ldm4j-images-*} folder under {@link
 * Settings#parent()} (the system temporary directory when empty) — and one sweeper thread, both
 * made by the first {@link #put} (a server that never answers a URL leaves no trace). {@link
 * #close()} stops the thread and deletes the folder with every image; it is idempotent. The server's store is owned by {@code OpenAiImageFilesResource}, closed when
 * the application stops.
 */
public final class ImageStore implements AutoCloseable {

  /** Random bytes of an id (192 bits). */
  public static final int ID_BYTES = 24;

  /** An id: {@value #ID_BYTES} bytes, base64url without padding. */
  public static final Pattern ID = Pattern.compile("[A-Za-z0-9_-]{" + (ID_BYTES * 4 / 3) + "}");

  private static final SecureRandom RANDOM = new SecureRandom();

  /**
   * The store's bounds.
   *
   * @param parent the folder the store makes its own folder in; empty: the system temporary directory
   * @param ttl how long an image is kept ({@code quarkus.ldm4j.images.url-ttl}), positive
   * @param maxFiles images kept at once ({@code quarkus.ldm4j.images.max-files}), at least 1
   * @param maxBytes their total size in bytes ({@code quarkus.ldm4j.images.max-size}), at least 1
   */
  public record Settings(Optional<Path> parent, Duration ttl, int maxFiles, long maxBytes) {
    /**
     * Validates.
     *
     * @throws IllegalArgumentException naming the property of a bad value
     */
    public Settings {
      Objects.requireNonNull(parent, "parent");
      Objects.requireNonNull(ttl, "ttl");
      if (ttl.isNegative() || ttl.isZero()) {
        throw new IllegalArgumentException("quarkus.ldm4j.images.url-ttl must be positive, got " + ttl);
      }
      if (maxFiles < 1) {
        throw new IllegalArgumentException("quarkus.ldm4j.images.max-files must be >= 1, got " + maxFiles);
      }
      if (maxBytes < 1) {
        throw new IllegalArgumentException("quarkus.ldm4j.images.max-size must be >= 1 byte, got " + maxBytes);
      }
    }
  }

  /**
   * An image stored.
   *
   * @param id its id ({@link #ID})
   * @param expires when it is deleted
   */
  public record Stored(String id, Instant expires) {}

  /**
   * An image found.
   *
   * @param png the PNG
   * @param expires when it is deleted
   */
  public record Found(byte[] png, Instant expires) {}

  /** A response whose own images exceed the store's bounds (they could never be kept together). */
  public static final class TooLargeException extends RuntimeException {
    TooLargeException(String message) {
      super(message);
    }
  }

  private record Entry(Path file, long bytes, Instant expires) {}

  private final Settings settings;
  private final InstantSource clock;
  private Path folder; // made by the first put
  private final LinkedHashMap<String, Entry> entries = new LinkedHashMap<>(); // oldest first = first to expire
  private ScheduledExecutorService sweeper; // started by the first put
  private long bytes;
  private boolean closed;

  /** An empty store; its folder and sweeper come with the first {@link #put}. */
  public ImageStore(Settings settings, InstantSource clock) {
    this.settings = Objects.requireNonNull(settings, "settings");
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /** The folder, made (and the sweeper started) on first use. */
  private Path folder() throws IOException {
    if (folder == null) {
      Path parent = settings.parent().orElse(Path.of(System.getProperty("java.io.tmpdir")));
      try {
        Files.createDirectories(parent);
        folder = Files.createTempDirectory(parent, "ldm4j-images-");
      } catch (IOException e) {
        throw new IOException("cannot create the image folder under " + parent.toAbsolutePath() + ": " + e, e);
      }
      sweeper = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().daemon().name("ldm4j-image-sweeper")
          .factory());
      long period = sweepPeriod(settings.ttl()).toMillis();
      sweeper.scheduleWithFixedDelay(this::sweep, period, period, TimeUnit.MILLISECONDS);
    }
    return folder;
  }

  /** How often the sweeper runs for a TTL of {@code ttl}: half of it, between 100 ms and 1 min. */
  static Duration sweepPeriod(Duration ttl) {
    Duration half = ttl.dividedBy(2);
    Duration min = Duration.ofMillis(100);
    Duration max = Duration.ofMinutes(1);
    return half.compareTo(min) < 0 ? min : half.compareTo(max) > 0 ? max : half;
  }

  /** The bounds. */
  public Settings settings() {
    return settings;
  }

  /** The folder the images are written to; empty before the first {@link #put}. */
  public synchronized Optional<Path> folderIfMade() {
    return Optional.ofNullable(folder);
  }

  /**
   * Stores {@code pngs} (one response's images), first deleting the expired images and then, while
   * a bound would be exceeded, the oldest.
   *
   * @return one {@link Stored} per PNG, in order
   * @throws TooLargeException when the PNGs alone exceed a bound (nothing is deleted or stored)
   * @throws IOException when a file cannot be written (nothing of this call is kept)
   * @throws IllegalStateException after {@link #close()}
   */
  public synchronized List<Stored> put(List<byte[]> pngs) throws IOException {
    if (closed) {
      throw new IllegalStateException("the image store is closed");
    }
    long total = pngs.stream().mapToLong(p -> p.length).sum();
    if (pngs.size() > settings.maxFiles() || total > settings.maxBytes()) {
      throw new TooLargeException(pngs.size() + " images of " + total + " bytes exceed the image store's bounds ("
          + "quarkus.ldm4j.images.max-files=" + settings.maxFiles() + ", quarkus.ldm4j.images.max-size="
          + settings.maxBytes() + " bytes)");
    }
    Path dir = folder();
    Instant now = clock.instant();
    expire(now);
    Iterator<Map.Entry<String, Entry>> oldest = entries.entrySet().iterator();
    while (oldest.hasNext() && (entries.size() + pngs.size() > settings.maxFiles() || bytes + total > settings.maxBytes())) {
      Entry e = oldest.next().getValue();
      oldest.remove();
      remove(e);
    }
    Instant expires = now.plus(settings.ttl());
    List<Stored> stored = new ArrayList<>();
    Map<String, Entry> written = new LinkedHashMap<>();
    try {
      for (byte[] png : pngs) {
        String id = newId();
        Path file = dir.resolve(id + ".png");
        Files.write(file, png);
        written.put(id, new Entry(file, png.length, expires));
        stored.add(new Stored(id, expires));
      }
    } catch (IOException e) {
      written.values().forEach(this::delete);
      throw e;
    }
    entries.putAll(written);
    bytes += total;
    return stored;
  }

  /**
   * The image {@code id} names; empty when unknown, expired (then deleted now) or gone, or after
   * {@link #close()}.
   */
  public Optional<Found> get(String id) {
    Entry e;
    synchronized (this) {
      if (closed || id == null || !ID.matcher(id).matches()) {
        return Optional.empty();
      }
      expire(clock.instant());
      e = entries.get(id);
    }
    if (e == null) {
      return Optional.empty();
    }
    try {
      return Optional.of(new Found(Files.readAllBytes(e.file()), e.expires()));
    } catch (NoSuchFileException gone) { // expired or evicted between the lookup and the read
      return Optional.empty();
    } catch (IOException io) {
      throw new UncheckedIOException("cannot read the stored image " + e.file().getFileName() + ": " + io.getMessage(), io);
    }
  }

  /** Deletes the expired images (the sweeper calls it); returns how many. */
  public synchronized int sweep() {
    return closed ? 0 : expire(clock.instant());
  }

  /** Images held. */
  public synchronized int count() {
    return entries.size();
  }

  /** Their total size in bytes. */
  public synchronized long bytes() {
    return bytes;
  }

  private int expire(Instant now) {
    int n = 0;
    Iterator<Map.Entry<String, Entry>> it = entries.entrySet().iterator();
    while (it.hasNext()) {
      Entry e = it.next().getValue();
      if (e.expires().isAfter(now)) {
        break; // insertion order is expiry order (one TTL)
      }
      it.remove();
      remove(e);
      n++;
    }
    return n;
  }

  private void remove(Entry e) {
    bytes -= e.bytes();
    delete(e);
  }

  private void delete(Entry e) {
    try {
      Files.deleteIfExists(e.file());
    } catch (IOException ignored) {
      // the folder goes at close
    }
  }

  private static String newId() {
    byte[] b = new byte[ID_BYTES];
    RANDOM.nextBytes(b);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }

  /** Stops the sweeper and deletes the folder with every image; idempotent. */
  @Override
  public void close() {
    Path dir;
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
      entries.clear();
      bytes = 0;
      dir = folder;
      if (sweeper != null) {
        sweeper.shutdownNow();
      }
    }
    if (dir == null) {
      return;
    }
    try (Stream<Path> all = Files.walk(dir)) {
      for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException | UncheckedIOException ignored) {
      // best effort: a folder that cannot be removed is left in the temporary directory
    }
  }
}
