package io.github.ldm4j.checkpoint.sd;

import io.github.ldm4j.checkpoint.StateDict;
import io.github.ldm4j.checkpoint.StateDicts;
import io.github.ldm4j.export.onnx.WeightStorage;
import io.github.ldm4j.export.onnx.WriteProgress;
import io.github.ldm4j.folder.Ldm4jHome;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * A single-file checkpoint as a model folder: converted once into an ONNX model folder under {@code
 * <ldm4j home>/checkpoints/} ({@link Ldm4jHome}), which every backend opens, and reused while the
 * file is unchanged. The cache key is the checkpoint's (and a VAE file's and an inference config's)
 * absolute path, size and modification time plus the export options (with each LoRA file's path, size,
 * modification time and multipliers) — the file is not hashed, so a
 * multi-GB checkpoint is not read twice; the conversion writes into a temporary folder that is
 * renamed into place when complete, so concurrent first uses are safe and an interrupted one leaves
 * no half folder. Every network of a cached folder keeps its weights in external data ({@code
 * model.onnx_data}), written in parallel chunks straight to disk.
 */
public final class CheckpointFolders {

  private CheckpointFolders() {}

  /**
   * What to convert: the checkpoint, an optional VAE file replacing its VAE, an optional CompVis
   * inference config, and the export options.
   *
   * @param checkpoint the checkpoint file
   * @param vae a VAE file, if any
   * @param config the inference config file, if any (its values already folded into {@code export})
   * @param inference what {@code config} says ({@link InferenceConfig#NONE} without one)
   * @param export the export options
   */
  public record Request(Path checkpoint, Optional<Path> vae, Optional<Path> config, InferenceConfig inference,
      SdFolderExport export) {

    /** Validates and normalises the paths. */
    public Request {
      checkpoint = checkpoint.toAbsolutePath().normalize();
      vae = vae.map(v -> v.toAbsolutePath().normalize());
      config = config.map(c -> c.toAbsolutePath().normalize());
      Objects.requireNonNull(inference, "inference");
      Objects.requireNonNull(export, "export");
    }

    /** This request with {@code loras} merged ({@link SdFolderExport#withLoras}). */
    public Request withLoras(io.github.ldm4j.checkpoint.lora.LoraSet loras) {
      return new Request(checkpoint, vae, config, inference, export.withLoras(loras));
    }

    /** This request at {@code precision} ({@link SdFolderExport#withPrecision}). */
    public Request withPrecision(io.github.ldm4j.export.folder.Precision precision) {
      return new Request(checkpoint, vae, config, inference, export.withPrecision(precision));
    }

    /** This request with the separate VAE file {@code vae} (empty: the checkpoint's own). */
    public Request withVae(Optional<Path> vae) {
      return new Request(checkpoint, vae, config, inference, export);
    }

    /**
     * The defaults for {@code checkpoint}: no separate VAE, the {@code .yaml} beside it (as
     * AUTOMATIC1111 reads it) if any, with its parameterization and scale factor.
     *
     * @throws IOException naming the config when it cannot be read or is not a CompVis config
     */
    public static Request defaults(Path checkpoint) throws IOException {
      Optional<Path> config = InferenceConfig.beside(checkpoint);
      InferenceConfig inference = InferenceConfig.read(config);
      return new Request(checkpoint, Optional.empty(), config, inference, SdFolderExport.DEFAULTS.with(inference));
    }
  }

  /**
   * The cached model folder of {@code request} (written now if missing).
   *
   * @throws IOException naming the checkpoint when it cannot be read or is not a supported model
   */
  public static Path cached(Request request) throws IOException {
    Path dir = Ldm4jHome.path().resolve("checkpoints").resolve(key(request));
    if (Files.isRegularFile(dir.resolve("model_index.json"))) {
      return dir;
    }
    Files.createDirectories(dir.getParent());
    Path tmp = Files.createTempDirectory(dir.getParent(), ".converting-");
    try {
      // external data for every network: streamed to disk in parallel, never held in the heap
      convert(new Request(request.checkpoint(), request.vae(), request.config(), request.inference(),
          request.export().withStorage(WeightStorage.EXTERNAL)), tmp.resolve("model"));
      try {
        Files.move(tmp.resolve("model"), dir, StandardCopyOption.ATOMIC_MOVE);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp.resolve("model"), dir);
      }
    } catch (FileAlreadyExistsException | DirectoryNotEmptyException raced) {
      // another process converted the same file meanwhile: use its folder
    } finally {
      delete(tmp);
    }
    return dir;
  }

  /**
   * Converts {@code request}'s checkpoint into the model folder {@code out}.
   *
   * @return {@code out}
   * @throws IOException naming the checkpoint when it cannot be read or is not a supported model
   */
  public static Path convert(Request request, Path out) throws IOException {
    try (StateDict dict = StateDicts.open(request.checkpoint())) {
      SdCheckpoint sd = SdCheckpoint.of(dict, request.inference().hints());
      if (request.vae().isEmpty()) {
        return request.export().write(sd, out, WriteProgress.NONE).root();
      }
      try (StateDict vaeDict = StateDicts.open(request.vae().get())) {
        return request.export().write(sd.withVae(vaeDict), out, WriteProgress.NONE).root();
      }
    }
  }

  private static String key(Request r) throws IOException {
    // the export's toString names each LoRA file with its multipliers; identity() adds size and modification time
    String id = identity(r.checkpoint()) + "|" + (r.vae().isPresent() ? identity(r.vae().get()) : "") + "|"
        + (r.config().isPresent() ? identity(r.config().get()) : "") + "|" + r.export()
        + (r.export().loras().isEmpty() ? "" : "|" + r.export().loras().identity());
    try {
      byte[] h = MessageDigest.getInstance("SHA-256").digest(id.getBytes(StandardCharsets.UTF_8));
      String stem = r.checkpoint().getFileName().toString().replaceAll("\\.[^.]*$", "").replaceAll("[^A-Za-z0-9._-]", "_");
      return stem + "-" + HexFormat.of().formatHex(h, 0, 8);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String identity(Path file) throws IOException {
    FileTime modified = Files.getLastModifiedTime(file);
    return file + "|" + Files.size(file) + "|" + modified.toMillis();
  }

  private static void delete(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
