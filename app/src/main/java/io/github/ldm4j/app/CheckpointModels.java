package io.github.ldm4j.app;

import io.github.ldm4j.checkpoint.StateDict;
import io.github.ldm4j.checkpoint.StateDicts;
import io.github.ldm4j.checkpoint.sd.InferenceConfig;
import io.github.ldm4j.checkpoint.sd.SdCheckpoint;
import io.github.ldm4j.checkpoint.sd.SdFolderExport;
import io.github.ldm4j.demo.DemoModelCache;
import io.github.ldm4j.export.onnx.WriteProgress;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * A single-file checkpoint given where a model folder is expected ({@code --model
 * v1-5-pruned-emaonly.safetensors}): converted once into an ONNX model folder under {@code
 * <home>/checkpoints/}, which every backend opens, and reused while the file is unchanged. The
 * cache key is the file's (and a {@code --vae} file's and an inference config's) absolute path, size and modification time
 * plus the export options (the file is not hashed, so a multi-GB checkpoint is not read twice); the conversion writes into a
 * temporary folder that is renamed into place when complete.
 */
final class CheckpointModels {

  private CheckpointModels() {}

  /** Whether {@code model} names a checkpoint file rather than a model folder. */
  static boolean isCheckpoint(Path model) {
    return Files.isRegularFile(model);
  }

  /**
   * The model folder of {@code model}: itself when it is a folder, else the cached conversion of the
   * checkpoint (written now if missing).
   *
   * @throws IOException naming the checkpoint when it cannot be read or is not a supported model
   */
  static Path folder(Path model, CheckpointOptions options) throws IOException {
    if (!isCheckpoint(model)) {
      return model;
    }
    Path file = model.toAbsolutePath().normalize();
    Optional<Path> config = options.configFile(file);
    InferenceConfig inference = CheckpointOptions.inferenceConfig(config);
    SdFolderExport export = options.export(512, inference);
    Optional<Path> vae = options.vaeFile().map(v -> v.toAbsolutePath().normalize());
    Path dir = DemoModelCache.home().resolve("checkpoints").resolve(key(file, vae, config, export));
    if (Files.isRegularFile(dir.resolve("model_index.json"))) {
      return dir;
    }
    Files.createDirectories(dir.getParent());
    Path tmp = Files.createTempDirectory(dir.getParent(), ".converting-");
    try {
      convert(file, vae, inference, tmp.resolve("model"), export);
      try {
        Files.move(tmp.resolve("model"), dir, StandardCopyOption.ATOMIC_MOVE);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp.resolve("model"), dir);
      }
    } catch (java.nio.file.FileAlreadyExistsException | java.nio.file.DirectoryNotEmptyException raced) {
      // another process converted the same file meanwhile: use its folder
    } finally {
      delete(tmp);
    }
    return dir;
  }

  /**
   * Converts {@code checkpoint} into the model folder {@code out}.
   *
   * @throws IOException naming the checkpoint when it cannot be read or is not a supported model
   */
  static Path convert(Path checkpoint, Optional<Path> vae, InferenceConfig config, Path out, SdFolderExport export)
      throws IOException {
    try (StateDict dict = StateDicts.open(checkpoint)) {
      SdCheckpoint sd = SdCheckpoint.of(dict, config.hints());
      if (vae.isEmpty()) {
        return export.write(sd, out, WriteProgress.NONE).root();
      }
      try (StateDict vaeDict = StateDicts.open(vae.get())) {
        return export.write(sd.withVae(vaeDict), out, WriteProgress.NONE).root();
      }
    }
  }

  private static String key(Path file, Optional<Path> vae, Optional<Path> config, SdFolderExport export)
      throws IOException {
    String id = identity(file) + "|" + (vae.isPresent() ? identity(vae.get()) : "") + "|"
        + (config.isPresent() ? identity(config.get()) : "") + "|" + export;
    try {
      byte[] h = MessageDigest.getInstance("SHA-256").digest(id.getBytes(StandardCharsets.UTF_8));
      String stem = file.getFileName().toString().replaceAll("\\.[^.]*$", "").replaceAll("[^A-Za-z0-9._-]", "_");
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
