package io.github.ldm4j.backend.onnx.internal;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtLoggingLevel;
import ai.onnxruntime.OrtProvider;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.OrtSession.SessionOptions;
import ai.onnxruntime.OrtSession.SessionOptions.OptLevel;
import io.github.ldm4j.backend.onnx.ExecutionProvider;
import io.github.ldm4j.backend.onnx.OnnxOptions;
import io.github.ldm4j.folder.ModelComponent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.stream.Collectors;

/**
 * Access to the process-wide ONNX Runtime environment, created (and the native library loaded) on
 * first use only. Creates sessions with the configured execution provider and options.
 */
public final class OrtRuntime {

  private OrtRuntime() {}

  /** The shared environment; loads the native library on first call. ONNX Runtime owns it for the process. */
  public static OrtEnvironment environment() {
    return Holder.ENV;
  }

  private static final class Holder {
    static final OrtEnvironment ENV = OrtEnvironment.getEnvironment(OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR, "ldm4j");
  }

  /** The execution providers compiled into the ONNX Runtime on the class path. */
  public static EnumSet<OrtProvider> availableProviders() {
    environment();
    return OrtEnvironment.getAvailableProviders();
  }

  /**
   * Opens a session for {@code component} from {@code file} with the component's provider.
   *
   * @throws IllegalStateException when the provider is missing from this ONNX Runtime build (the
   *     message lists those present and what to add)
   * @throws OrtException when ONNX Runtime cannot load the model
   */
  public static OrtSession openSession(Path file, ModelComponent component, OnnxOptions options) throws OrtException {
    return openSession(file, component, options, java.util.Map.of(), java.util.Map.of());
  }

  /**
   * {@link #openSession(Path, ModelComponent, OnnxOptions)} with initializers taking those tensors'
   * values instead of the file's: {@code external} ones with {@code addExternalInitializers} — only
   * for initializers the file stores as external data, in the same shape (a LoRA set's merged
   * weights): injected before the graph is optimised, so the session computes bit for bit what a file
   * holding them computes (tested) — and {@code replaced} ones as user-supplied initializers ({@code
   * addInitializer}), which may change the shape (a token-embedding table with rows appended). Both
   * are read in place: the caller keeps the tensors open until the session is closed. Such a session
   * is never written to the optimised-model cache (its weights are not the file's). With {@link
   * OnnxOptions#optimizedModelCache()} set, the graph is optimised once and saved (with its weights)
   * in a folder keyed by {@link #cachedModelFolder}; later sessions load that graph without
   * optimising it again.
   *
   * @throws IllegalStateException when the provider is missing from this ONNX Runtime build
   * @throws OrtException when ONNX Runtime cannot load the model or take a replaced initializer
   */
  public static OrtSession openSession(Path file, ModelComponent component, OnnxOptions options,
      java.util.Map<String, ? extends ai.onnxruntime.OnnxTensorLike> replaced,
      java.util.Map<String, ? extends ai.onnxruntime.OnnxTensorLike> external) throws OrtException {
    OrtEnvironment env = environment();
    ExecutionProvider ep = options.providerFor(component);
    requireProvider(ep);
    try (SessionOptions so = new SessionOptions()) {
      so.setOptimizationLevel(switch (options.optimization()) {
        case DISABLED -> OptLevel.NO_OPT;
        case BASIC -> OptLevel.BASIC_OPT;
        case EXTENDED -> OptLevel.EXTENDED_OPT;
        case ALL -> OptLevel.ALL_OPT;
      });
      if (options.intraOpThreads() > 0) {
        so.setIntraOpNumThreads(options.intraOpThreads());
      }
      if (options.interOpThreads() > 1) {
        so.setExecutionMode(SessionOptions.ExecutionMode.PARALLEL);
        so.setInterOpNumThreads(options.interOpThreads());
      }
      so.setCPUArenaAllocator(options.memoryArena());
      so.setMemoryPatternOptimization(options.memoryPattern());
      for (var e : replaced.entrySet()) {
        // a user-supplied initializer (OrtSessionOptions AddInitializer): used in place, of any first dimension;
        // addExternalInitializers would only take initializers the file stores as external data, of the same shape
        so.addInitializer(e.getKey(), e.getValue());
      }
      if (!external.isEmpty()) {
        so.addExternalInitializers(java.util.Map.copyOf(external));
      }
      Path load = file;
      Path writing = null;
      Path cached = null;
      if (options.optimizedModelCache().isPresent() && replaced.isEmpty() && external.isEmpty()) {
        cached = cachedModelFolder(options.optimizedModelCache().get(), file, component, options);
        if (Files.isRegularFile(cached.resolve(CACHED_MODEL))) {
          // already optimised at this level for this provider: optimising again would only cost time
          load = cached.resolve(CACHED_MODEL);
          so.setOptimizationLevel(OptLevel.NO_OPT);
        } else {
          try {
            Files.createDirectories(cached.getParent());
            deleteAbandoned(cached.getParent(), java.time.Instant.now().minus(ABANDONED_AFTER));
            writing = Files.createTempDirectory(cached.getParent(), cached.getFileName() + ".tmp-");
          } catch (java.io.IOException e) {
            throw new IllegalArgumentException(
                "cannot write to the model cache folder " + cached.getParent() + ": " + e.getMessage(), e);
          }
          so.setOptimizedModelFilePath(writing.resolve(CACHED_MODEL).toString());
          // weights beside the graph (a UNet is over protobuf's 2 GB limit)
          so.addConfigEntry("session.optimized_model_external_initializers_file_name", CACHED_MODEL + ".data");
          so.addConfigEntry("session.optimized_model_external_initializers_min_size_in_bytes", "1024");
        }
      }
      if (!options.allowCpuFallback() && !(ep instanceof ExecutionProvider.Cpu)) {
        so.addConfigEntry("session.disable_cpu_ep_fallback", "1");
      }
      switch (ep) {
        case ExecutionProvider.Cpu c -> { }
        case ExecutionProvider.Cuda c -> so.addCUDA(c.deviceId());
        case ExecutionProvider.TensorRt t -> {
          so.addTensorrt(t.deviceId());
          so.addCUDA(t.deviceId());
        }
        case ExecutionProvider.CoreMl c -> so.addCoreML();
        case ExecutionProvider.DirectMl d -> so.addDirectML(d.deviceId());
        case ExecutionProvider.OpenVino o -> so.addOpenVINO(o.deviceType());
      }
      OrtSession session;
      try {
        session = env.createSession(load.toString(), so);
      } catch (OrtException | RuntimeException e) {
        deleteQuietly(writing);
        throw e;
      }
      if (writing != null) {
        publish(writing, cached);
      }
      return session;
    }
  }

  /** The optimised graph's file name inside its cache folder. */
  static final String CACHED_MODEL = "model.onnx";

  /**
   * The cache folder of {@code file}'s graph optimised for {@code component} with {@code options}: its
   * name holds a digest of the file's absolute path, the sizes and times of the files in its folder
   * (the graph and its external weights), the optimisation level, the provider and the ONNX Runtime
   * version, so that any change opens (and caches) the network afresh.
   */
  static Path cachedModelFolder(Path cache, Path file, ModelComponent component, OnnxOptions options) {
    try {
      java.security.MessageDigest d = java.security.MessageDigest.getInstance("SHA-256");
      StringBuilder key = new StringBuilder(file.toAbsolutePath().normalize().toString());
      key.append('|').append(options.optimization()).append('|').append(options.providerFor(component).spec())
          .append('|').append(environment().getVersion());
      try (var files = Files.list(file.toAbsolutePath().getParent())) {
        for (Path f : files.sorted().toList()) {
          if (Files.isRegularFile(f)) {
            key.append('|').append(f.getFileName()).append(':').append(Files.size(f)).append(':')
                .append(Files.getLastModifiedTime(f).toMillis());
          }
        }
      }
      byte[] h = d.digest(key.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
      return cache.resolve(component.folderName() + "-" + java.util.HexFormat.of().formatHex(h, 0, 8));
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException("cannot read " + file.getParent() + " for the model cache key", e);
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * How long a cache entry being written may go without a file change before it counts as abandoned
   * (its process died mid-write): ONNX Runtime writes an optimised graph in one go, seconds to minutes.
   */
  static final java.time.Duration ABANDONED_AFTER = java.time.Duration.ofHours(1);

  /**
   * Deletes the {@code *.tmp-*} folders in {@code cache} whose newest file (or the folder itself) was
   * last changed before {@code before}: entries a crashed or killed process left half-written, which
   * are never read but hold up to the model's size on disk. A folder still being written by another
   * process changes as it is written and is left alone; a folder that cannot be read or deleted is left
   * as it is (it is never read).
   */
  static void deleteAbandoned(Path cache, java.time.Instant before) {
    try (var entries = Files.list(cache)) {
      for (Path p : entries.filter(e -> e.getFileName().toString().contains(".tmp-") && Files.isDirectory(e)).toList()) {
        if (lastChange(p).isBefore(before)) {
          deleteQuietly(p);
        }
      }
    } catch (java.io.IOException | java.io.UncheckedIOException e) {
      // an unreadable cache folder fails the write just after, with its own message
    }
  }

  private static java.time.Instant lastChange(Path dir) throws java.io.IOException {
    java.time.Instant newest = Files.getLastModifiedTime(dir).toInstant();
    try (var files = Files.walk(dir)) {
      for (Path f : files.toList()) {
        java.time.Instant t = Files.getLastModifiedTime(f).toInstant();
        if (t.isAfter(newest)) {
          newest = t;
        }
      }
    }
    return newest;
  }

  /** Moves the freshly written {@code from} to {@code to} atomically; another process may have won the race. */
  private static void publish(Path from, Path to) {
    try {
      Files.move(from, to, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    } catch (java.io.IOException e) {
      deleteQuietly(from); // another session published it first, or the folder cannot be written: nothing cached
    }
  }

  private static void deleteQuietly(Path dir) {
    if (dir == null) {
      return;
    }
    try (var files = Files.walk(dir)) {
      for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (java.io.IOException ignored) {
      // a temporary folder left behind is harmless: it is never read
    }
  }

  /** The ONNX Runtime provider an {@link ExecutionProvider} needs. */
  static OrtProvider ortProvider(ExecutionProvider ep) {
    return switch (ep) {
      case ExecutionProvider.Cpu c -> OrtProvider.CPU;
      case ExecutionProvider.Cuda c -> OrtProvider.CUDA;
      case ExecutionProvider.TensorRt t -> OrtProvider.TENSOR_RT;
      case ExecutionProvider.CoreMl c -> OrtProvider.CORE_ML;
      case ExecutionProvider.DirectMl d -> OrtProvider.DIRECT_ML;
      case ExecutionProvider.OpenVino o -> OrtProvider.OPEN_VINO;
    };
  }

  /** Throws with a helpful message when {@code ep} is not compiled into the ONNX Runtime on the class path. */
  public static void requireProvider(ExecutionProvider ep) {
    OrtProvider needed = ortProvider(ep);
    EnumSet<OrtProvider> present = availableProviders();
    if (!present.contains(needed)) {
      String have = present.stream().map(OrtProvider::getName).collect(Collectors.joining(", "));
      throw new IllegalStateException(
          "execution provider '" + ep.spec() + "' needs " + needed.getName()
              + ", which the ONNX Runtime on the class path does not have (it has: " + have + "). " + howToGet(ep));
    }
  }

  private static String howToGet(ExecutionProvider ep) {
    return switch (ep) {
      case ExecutionProvider.Cuda c ->
          "Replace com.microsoft.onnxruntime:onnxruntime with com.microsoft.onnxruntime:onnxruntime_gpu (same version) and install CUDA 12 and cuDNN 9 on the library path.";
      case ExecutionProvider.TensorRt t ->
          "Replace com.microsoft.onnxruntime:onnxruntime with com.microsoft.onnxruntime:onnxruntime_gpu (same version) and install CUDA 12, cuDNN 9 and TensorRT 10 on the library path.";
      case ExecutionProvider.CoreMl c -> "Core ML is in the macOS builds of com.microsoft.onnxruntime:onnxruntime.";
      case ExecutionProvider.DirectMl d -> "DirectML needs a Windows build of ONNX Runtime with DirectML (not published on Maven Central); build ONNX Runtime with --use_dml.";
      case ExecutionProvider.OpenVino o -> "ONNX Runtime's OpenVINO provider needs an ONNX Runtime built with --use_openvino; or use ldm4j's own openvino backend.";
      case ExecutionProvider.Cpu c -> "";
    };
  }
}
