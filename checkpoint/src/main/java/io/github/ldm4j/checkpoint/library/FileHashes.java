package io.github.ldm4j.checkpoint.library;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * SHA-256 hashes of model files as AUTOMATIC1111 uses them, each file read once: cached by
 * (absolute path, size, modification time) in memory and, when a cache file is given, across runs
 * (a tab-separated file, rewritten atomically; a stale or unreadable line is recomputed).
 *
 * <ul>
 *   <li>{@link #sha256}: the whole file ({@code sha256sum}); A1111's {@code Model hash}, {@code VAE
 *       hash} (first 10 hex digits) and {@code TI hashes} (first 12) since A1111 1.0 — not the legacy
 *       8-digit hash of 64 KiB at offset 1 MiB, which ldm4j does not compute;
 *   <li>{@link #addnet}: the "additional networks" hash of a {@code .safetensors} file — SHA-256 of
 *       everything after the header (the 8-byte little-endian header length and the JSON header
 *       skipped), so editing metadata keeps it; A1111's {@code Lora hashes} (first 12 hex digits)
 *       for safetensors LoRAs.
 * </ul>
 */
public final class FileHashes {

  /** The two hashes. */
  public enum Kind {
    /** SHA-256 of the whole file. */
    SHA256,
    /** SHA-256 of a safetensors file after its header. */
    ADDNET
  }

  private record Key(Kind kind, String path, long size, long mtime) {}

  private final Optional<Path> cacheFile;
  private final Map<Key, String> cache = new ConcurrentHashMap<>();
  private volatile boolean loaded;

  /** Hashes cached in memory only. */
  public FileHashes() {
    this(Optional.empty());
  }

  /** Hashes cached in memory and in {@code cacheFile}. */
  public FileHashes(Optional<Path> cacheFile) {
    this.cacheFile = cacheFile.map(p -> p.toAbsolutePath().normalize());
  }

  /**
   * SHA-256 of the whole file, 64 lower-case hex digits.
   *
   * @throws IOException when the file cannot be read
   */
  public String sha256(Path file) throws IOException {
    return hash(Kind.SHA256, file);
  }

  /**
   * SHA-256 of a safetensors file after its header, 64 lower-case hex digits.
   *
   * @throws IOException when the file cannot be read or is too short for its header
   */
  public String addnet(Path file) throws IOException {
    return hash(Kind.ADDNET, file);
  }

  /**
   * The SHA-256 of the file's current version if it was computed before (in this process or in the
   * cache file), without reading the file; empty otherwise. For listings that must not hash
   * multi-GB files, as AUTOMATIC1111 lists a checkpoint without its hash until it was loaded.
   *
   * @throws IOException when the file's size or time cannot be read
   */
  public Optional<String> cachedSha256(Path file) throws IOException {
    Path f = file.toAbsolutePath().normalize();
    load();
    return Optional.ofNullable(cache.get(new Key(Kind.SHA256, f.toString(), Files.size(f),
        Files.getLastModifiedTime(f).toMillis())));
  }

  private String hash(Kind kind, Path file) throws IOException {
    Path f = file.toAbsolutePath().normalize();
    Key key = new Key(kind, f.toString(), Files.size(f), Files.getLastModifiedTime(f).toMillis());
    load();
    String cached = cache.get(key);
    if (cached != null) {
      return cached;
    }
    String h = compute(kind, f);
    cache.put(key, h);
    store();
    return h;
  }

  private static String compute(Kind kind, Path file) throws IOException {
    MessageDigest md;
    try {
      md = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      if (kind == Kind.ADDNET) {
        ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        while (len.hasRemaining() && ch.read(len) >= 0) {
          // fill
        }
        long n = len.flip().remaining() == 8 ? len.getLong() : -1;
        if (n < 0 || n > ch.size() - 8) {
          throw new IOException(file + ": not a safetensors file (header length " + n + ", file size " + ch.size() + ")");
        }
        ch.position(8 + n);
      }
      InputStream in = Channels.newInputStream(ch);
      byte[] buf = new byte[1 << 20];
      for (int r; (r = in.read(buf)) > 0; ) {
        md.update(buf, 0, r);
      }
    }
    return HexFormat.of().formatHex(md.digest());
  }

  private void load() {
    if (loaded || cacheFile.isEmpty()) {
      return;
    }
    synchronized (this) {
      if (loaded) {
        return;
      }
      try {
        if (Files.isRegularFile(cacheFile.get())) {
          for (String line : Files.readAllLines(cacheFile.get(), StandardCharsets.UTF_8)) {
            String[] p = line.split("\t", 5);
            if (p.length == 5 && p[3].matches("[0-9a-f]{64}")) {
              try {
                cache.putIfAbsent(new Key(Kind.valueOf(p[0]), p[4], Long.parseLong(p[1]), Long.parseLong(p[2])), p[3]);
              } catch (IllegalArgumentException skip) {
                // a damaged line: recomputed when needed
              }
            }
          }
        }
      } catch (IOException ignored) {
        // an unreadable cache is an empty one
      }
      loaded = true;
    }
  }

  private synchronized void store() {
    if (cacheFile.isEmpty()) {
      return;
    }
    List<String> lines = new ArrayList<>();
    cache.forEach((k, v) -> lines.add(k.kind() + "\t" + k.size() + "\t" + k.mtime() + "\t" + v + "\t" + k.path()));
    Path target = cacheFile.get();
    try {
      Files.createDirectories(target.getParent());
      Path tmp = Files.createTempFile(target.getParent(), ".hashes-", ".tmp");
      Files.write(tmp, lines, StandardCharsets.UTF_8);
      try {
        Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
      }
    } catch (IOException ignored) {
      // the cache is an optimisation: a read-only home costs a re-hash next run, nothing else
    }
  }
}
