package io.github.ldm4j.checkpoint.library;

import io.github.ldm4j.checkpoint.StateDict;
import io.github.ldm4j.checkpoint.StateDicts;
import io.github.ldm4j.checkpoint.sd.InferenceConfig;
import io.github.ldm4j.checkpoint.sd.SdCheckpoint;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * A model library: one folder per {@link ModelKind} — by default the sub-folders of a models
 * directory as AUTOMATIC1111 lays them out ({@code Stable-diffusion/}, {@code VAE/}, {@code Lora/},
 * {@code embeddings/}), each replaceable — scanned for entries with their name and size, hashed on
 * demand ({@link #sha256}, {@link #shortHash}) through a {@link FileHashes} cache, checkpoints'
 * architecture detected on demand ({@link #architecture}).
 *
 * <p>Names are looked up safely: a name is a relative path below its folder without {@code ..},
 * backslashes, drive letters or control characters, and the file it finds must really lie inside
 * the folder (a symbolic link leading out is refused).
 */
public final class ModelLibrary {

  private final Map<ModelKind, Path> folders;
  private final FileHashes hashes;

  /**
   * A library over {@code folders} (a kind without a folder has no entries).
   *
   * @param folders the folder of each kind
   * @param hashes the hash cache
   */
  public ModelLibrary(Map<ModelKind, Path> folders, FileHashes hashes) {
    Map<ModelKind, Path> f = new EnumMap<>(ModelKind.class);
    folders.forEach((k, v) -> f.put(Objects.requireNonNull(k, "kind"), v.toAbsolutePath().normalize()));
    this.folders = Map.copyOf(f);
    this.hashes = Objects.requireNonNull(hashes, "hashes");
  }

  /**
   * The conventional folders below {@code modelsDir} ({@link ModelKind#folder}), each replaced by
   * {@code overrides} where it names one; {@code modelsDir} may be null when every folder is
   * overridden or a kind is not wanted.
   */
  public static Map<ModelKind, Path> folders(Path modelsDir, Map<ModelKind, Path> overrides) {
    Map<ModelKind, Path> out = new EnumMap<>(ModelKind.class);
    for (ModelKind k : ModelKind.values()) {
      Path p = overrides.get(k);
      if (p == null && modelsDir != null) {
        p = modelsDir.resolve(k.folder());
      }
      if (p != null) {
        out.put(k, p);
      }
    }
    return out;
  }

  /** The folder of {@code kind}, if the library has one. */
  public Optional<Path> folder(ModelKind kind) {
    return Optional.ofNullable(folders.get(kind));
  }

  /** The hash cache. */
  public FileHashes hashes() {
    return hashes;
  }

  /**
   * Every entry of {@code kind}, sub-folders included, sorted by name; none when its folder is
   * missing.
   *
   * @throws IOException when the folder cannot be read
   */
  public List<ModelEntry> list(ModelKind kind) throws IOException {
    Path root = folders.get(kind);
    if (root == null || !Files.isDirectory(root)) {
      return List.of();
    }
    List<ModelEntry> out = new ArrayList<>();
    try (Stream<Path> files = Files.walk(root)) {
      for (Path p : (Iterable<Path>) files::iterator) {
        String ext = kind.extensionOf(p.getFileName().toString());
        if (ext != null && Files.isRegularFile(p)) {
          String rel = root.relativize(p).toString().replace(p.getFileSystem().getSeparator(), "/");
          out.add(new ModelEntry(kind, rel.substring(0, rel.length() - ext.length()), p, Files.size(p)));
        }
      }
    }
    out.sort(Comparator.comparing(ModelEntry::name));
    return out;
  }

  /**
   * The entry of {@code kind} named {@code name}: {@code sub/name} (extension optional) below the
   * folder, else a bare {@code name} that is the stem of exactly one entry in any sub-folder.
   *
   * @throws IllegalArgumentException for a name that could leave the folder, for a name matching
   *     entries in several sub-folders, and when nothing matches (naming the folder and listing
   *     what it holds)
   * @throws IOException when the folder cannot be read
   */
  public ModelEntry require(ModelKind kind, String name) throws IOException {
    Path root = folders.get(kind);
    if (root == null) {
      throw new IllegalArgumentException("no " + kind.label() + " folder to find '" + name + "' in (give --models-dir)");
    }
    requireSafe(kind, name);
    Path realRoot = Files.isDirectory(root) ? root.toRealPath() : root;
    List<String> candidates = new ArrayList<>();
    if (kind.extensionOf(name) != null) {
      candidates.add(name);
    }
    kind.extensions().forEach(e -> candidates.add(name + e));
    for (String c : candidates) {
      Path p = root.resolve(c).normalize();
      if (p.startsWith(root) && Files.isRegularFile(p)) {
        Path real = p.toRealPath();
        if (!real.startsWith(realRoot)) {
          throw new IllegalArgumentException(kind.label() + " '" + name + "' leads outside " + root + " (to " + real + ")");
        }
        String ext = kind.extensionOf(c);
        String entryName = c.substring(0, c.length() - ext.length());
        return new ModelEntry(kind, entryName, p, Files.size(p));
      }
    }
    List<ModelEntry> all = list(kind);
    if (!name.contains("/")) {
      String stem = kind.extensionOf(name) == null ? name : name.substring(0, name.length() - kind.extensionOf(name).length());
      List<ModelEntry> same = all.stream().filter(e -> e.stem().equals(stem)).toList();
      if (same.size() == 1) {
        ModelEntry e = same.getFirst();
        if (!e.file().toRealPath().startsWith(realRoot)) {
          throw new IllegalArgumentException(kind.label() + " '" + name + "' leads outside " + root);
        }
        return e;
      }
      if (same.size() > 1) {
        throw new IllegalArgumentException(kind.label() + " '" + name + "' is ambiguous in " + root + ": "
            + String.join(", ", same.stream().map(ModelEntry::name).toList()));
      }
    }
    List<String> names = all.stream().map(ModelEntry::name).limit(20).toList();
    throw new IllegalArgumentException("no " + kind.label() + " '" + name + "' in " + root
        + (names.isEmpty() ? " (it holds none)" : " (it holds: " + String.join(", ", names)
            + (all.size() > names.size() ? ", …" : "") + ")"));
  }

  /**
   * The full SHA-256 of {@code entry}'s file (64 hex digits).
   *
   * @throws IOException when the file cannot be read
   */
  public String sha256(ModelEntry entry) throws IOException {
    return hashes.sha256(entry.file());
  }

  /**
   * A1111's short hash of {@code entry}, as its PNG {@code parameters} carry it: checkpoints and
   * VAEs the first 10 hex digits of the file's SHA-256 ({@code Model hash}, {@code VAE hash});
   * LoRAs the first 12 of the {@link FileHashes#addnet addnet} hash for {@code .safetensors}, of
   * the SHA-256 otherwise ({@code Lora hashes}); embeddings the first 12 of the SHA-256 ({@code TI
   * hashes}).
   *
   * @throws IOException when the file cannot be read
   */
  public String shortHash(ModelEntry entry) throws IOException {
    return shortHash(entry.kind(), entry.file(), hashes);
  }

  /**
   * The architecture of a checkpoint entry as {@code ldm4j inspect} names it ({@code SD 1.x}, {@code
   * SD 2.x}, with {@code inpainting} for the 9-channel UNet), detected from the tensors' names and
   * shapes without reading their data (with the hints of the CompVis {@code .yaml} beside it, as
   * A1111 reads one); empty for other kinds.
   *
   * @throws IOException naming the file when it cannot be read or is not an SD 1.x / 2.x checkpoint
   */
  public Optional<String> architecture(ModelEntry entry) throws IOException {
    if (entry.kind() != ModelKind.CHECKPOINT) {
      return Optional.empty();
    }
    Optional<Path> yaml = InferenceConfig.beside(entry.file());
    InferenceConfig config = yaml.isPresent() ? InferenceConfig.read(yaml.get()) : InferenceConfig.NONE;
    try (StateDict dict = StateDicts.open(entry.file())) {
      SdCheckpoint sd = SdCheckpoint.of(dict, config.hints());
      return Optional.of(SdCheckpoint.describe(sd.family())
          + (sd.conditioningKey() == io.github.ldm4j.model.ConditioningKey.HYBRID ? " inpainting" : ""));
    }
  }

  /** {@link #shortHash(ModelEntry)} of any file of {@code kind}, through {@code hashes}. */
  public static String shortHash(ModelKind kind, Path file, FileHashes hashes) throws IOException {
    return switch (kind) {
      case CHECKPOINT, VAE -> hashes.sha256(file).substring(0, 10);
      case LORA -> (file.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".safetensors")
          ? hashes.addnet(file) : hashes.sha256(file)).substring(0, 12);
      case EMBEDDING -> hashes.sha256(file).substring(0, 12);
    };
  }

  private static void requireSafe(ModelKind kind, String name) {
    boolean bad = name == null || name.isBlank() || name.startsWith("/") || name.contains("\\")
        || name.chars().anyMatch(c -> c < 0x20 || c == 0x7f) || (name.length() > 1 && name.charAt(1) == ':');
    if (!bad) {
      for (String part : name.split("/", -1)) {
        if (part.isEmpty() || part.equals("..") || part.equals(".")) {
          bad = true;
          break;
        }
      }
    }
    if (bad) {
      throw new IllegalArgumentException("invalid " + kind.label() + " name '" + name
          + "': a name is a relative path below the folder (sub/name), without '..', '.', '\\' or a leading '/'");
    }
  }
}
