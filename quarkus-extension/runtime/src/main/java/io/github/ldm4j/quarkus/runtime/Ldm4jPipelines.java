package io.github.ldm4j.quarkus.runtime;

import io.github.ldm4j.checkpoint.embedding.EmbeddingFiles;
import io.github.ldm4j.checkpoint.library.FileHashes;
import io.github.ldm4j.checkpoint.library.ModelEntry;
import io.github.ldm4j.checkpoint.library.ModelKind;
import io.github.ldm4j.checkpoint.library.ModelLibrary;
import io.github.ldm4j.checkpoint.library.ModelSelection;
import io.github.ldm4j.checkpoint.library.NamedLora;
import io.github.ldm4j.checkpoint.lora.LoraSet;
import io.github.ldm4j.checkpoint.sd.CheckpointFolders;
import io.github.ldm4j.checkpoint.sd.CheckpointGenerators;
import io.github.ldm4j.conditioning.embedding.EmbeddingTable;
import io.github.ldm4j.conditioning.embedding.TextualInversion;
import io.github.ldm4j.conditioning.text.ClipCondStage;
import io.github.ldm4j.export.folder.Precision;
import io.github.ldm4j.export.folder.PrecisionChoice;
import io.github.ldm4j.folder.ModelComponent;
import io.github.ldm4j.folder.Ldm4jHome;
import io.github.ldm4j.generate.GenerationLimits;
import io.github.ldm4j.generate.GenerationSettings;
import io.github.ldm4j.generate.Generator;
import io.github.ldm4j.spi.BackendOptions;
import io.github.ldm4j.spi.Placement;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;
import org.jboss.logging.Logger;

/**
 * The models of the application: the configured ones by name — the default model plus the named
 * ones of {@code quarkus.ldm4j.models}, opened at startup (an invalid model fails the startup with a
 * message naming the model and the folder) and kept open — and the model library's ({@code
 * quarkus.ldm4j.library.*}), whose pipelines are opened on demand in a bounded {@link PipelineCache}
 * ({@code quarkus.ldm4j.cache.*}) together with every checkpoint + LoRA set + VAE combination a
 * request asks for ({@link #use}). Which checkpoint serves requests that name none is the active
 * model ({@link #activate}, A1111's {@code sd_model_checkpoint}), the default model at first.
 *
 * <p>The library's textual-inversion embeddings ({@link #embeddings()}) are read once at startup and
 * again on {@link #refreshEmbeddings()}, and every pipeline is opened with them, so a prompt word
 * naming one uses its vectors. The set read is part of each cached pipeline's {@link PipelineKey}: after
 * a refresh that changed it, pipelines opened with the old set are dropped from the cache (closed once no
 * request uses them) and a configured model is served by a pipeline of the cache opened with the new
 * set.
 *
 * <p><b>Ownership:</b> owns its {@link Generator}s and the cache, and closes them in {@link
 * #close()} (idempotent), which the container calls at shutdown; a cached pipeline still in use is
 * closed when its {@link Use} is closed.
 */
public final class Ldm4jPipelines implements AutoCloseable {

  /** Why opening fails when {@code quarkus.ldm4j.model.path} is not set. */
  static final String NO_MODEL_PATH = "ldm4j: quarkus.ldm4j.model.path is not set: point it at a model folder"
      + " (diffusers / optimum ONNX layout); the extension has no built-in model (the ldm4j app uses its embedded"
      + " demo model when no --model is given)";

  private static final Logger LOG = Logger.getLogger(Ldm4jPipelines.class);

  private final String defaultName;
  private final Map<String, Generator> generators;
  private final Map<String, Path> folders;
  private final Map<String, Opening> openings;
  private final GenerationSettings defaults;
  private volatile int clipSkip; // the CLIP skip of the requests, set at runtime (A1111's CLIP_stop_at_last_layers)
  private final GenerationLimits limits;
  private final Optional<ModelLibrary> library;
  private final PipelineCache<PipelineKey, Generator> cache;
  private final FileHashes hashes;
  private final Duration timeout;
  private final EmbeddingFiles.Loaded startupEmbeddings;
  private volatile EmbeddingRead embeddings;
  private volatile Active active;
  private boolean closed;

  /**
   * How a model's networks are opened.
   *
   * @param backend the backend name
   * @param options device, threads and placement
   * @param precision the precision checkpoints opened this way are converted at ({@code
   *     quarkus.ldm4j.precision} resolved for the UNet's placement)
   */
  public record Opening(String backend, BackendOptions options, Precision precision) {

    /** Validates. */
    public Opening {
      Objects.requireNonNull(backend, "backend");
      Objects.requireNonNull(options, "options");
      Objects.requireNonNull(precision, "precision");
    }

    /** {@code backend} with {@code options}, checkpoints converted at {@code choice} resolved for the UNet's placement. */
    static Opening of(String backend, BackendOptions options, PrecisionChoice choice) {
      return new Opening(backend, options, choice.resolve(options.placementFor(ModelComponent.UNET, backend)));
    }

    /**
     * What converting {@code checkpoint} this way asks for: its defaults ({@link
     * CheckpointFolders.Request#defaults}: the {@code .yaml} beside it) at this precision.
     *
     * @throws IOException naming the config when it cannot be read
     */
    CheckpointFolders.Request request(Path checkpoint) throws IOException {
      return CheckpointFolders.Request.defaults(checkpoint).withPrecision(precision);
    }
  }

  /**
   * What one pipeline is made of: the key of the {@link PipelineCache}.
   *
   * @param checkpoint the checkpoint file
   * @param vae a separate VAE file, if any
   * @param loras the LoRAs merged into it
   * @param opening how its networks are opened
   * @param embeddings the textual-inversion embeddings it is opened with: the set read at startup or by
   *     the last {@link #refreshEmbeddings()} that changed it (a set read again is another set: the
   *     embeddings compare by identity of their vectors)
   */
  public record PipelineKey(Path checkpoint, Optional<Path> vae, LoraSet loras, Opening opening,
      List<TextualInversion> embeddings) {}

  /**
   * The model that serves requests naming none, and the separate VAE put on checkpoints (A1111's
   * {@code sd_model_checkpoint} and {@code sd_vae}).
   *
   * @param model a configured model name or a library checkpoint's name
   * @param vae a library VAE's name; empty for the checkpoint's own
   */
  public record Active(String model, Optional<String> vae) {}

  private Ldm4jPipelines(String defaultName, Map<String, Generator> generators, Map<String, Path> folders,
      Map<String, Opening> openings, GenerationSettings defaults, GenerationLimits limits,
      Optional<ModelLibrary> library, Ldm4jConfig.Cache cache, Duration timeout, EmbeddingRead embeddings) {
    this.defaultName = defaultName;
    this.generators = Collections.unmodifiableMap(generators);
    this.folders = Collections.unmodifiableMap(folders);
    this.openings = Collections.unmodifiableMap(openings);
    this.defaults = defaults;
    this.clipSkip = defaults.clipSkip();
    this.limits = limits;
    this.library = library;
    this.hashes = library.map(ModelLibrary::hashes)
        .orElseGet(() -> new FileHashes(Optional.of(Ldm4jHome.path().resolve("hashes.tsv"))));
    this.timeout = timeout;
    this.startupEmbeddings = embeddings.loaded();
    this.embeddings = embeddings;
    this.cache = new PipelineCache<>(cache.maxPipelines(),
        cache.maxSize().map(m -> m.asLongValue()).orElse(Long.MAX_VALUE), key -> prepare(key, limits));
    this.active = new Active(defaultName, Optional.empty());
  }

  /**
   * Validates the configuration and opens every configured model.
   *
   * An API node without models ({@code quarkus.ldm4j.queue.local-models=false}) opens none: its
   * {@link #names()} is empty and {@link #defaultGenerator()} null; workers run its requests.
   *
   * @throws IllegalStateException naming {@code quarkus.ldm4j.model.path} when it is not set, or
   *     naming the model and its folder when a model cannot be opened
   */
  public static Ldm4jPipelines open(Ldm4jConfig config) {
    GenerationLimits limits = limits(config);
    GenerationSettings defaults = defaults(config);
    if (!config.queue().localModels()) {
      Ldm4jQueue.check(config);
      return new Ldm4jPipelines(config.model().name(), new LinkedHashMap<>(), new LinkedHashMap<>(), new LinkedHashMap<>(),
          defaults, limits, Optional.empty(), config.cache(), config.limits().requestTimeout(), readEmbeddings(Optional.empty()));
    }
    Map<String, Generator> generators = new LinkedHashMap<>();
    Map<String, Path> folders = new LinkedHashMap<>();
    Map<String, Opening> openings = new LinkedHashMap<>();
    String defaultName = config.model().name();
    checkCache(config);
    Optional<ModelLibrary> library = library(config.library());
    EmbeddingRead embeddings = readEmbeddings(library);
    try {
      Path main = config.model().path().orElseThrow(() -> new IllegalStateException(NO_MODEL_PATH));
      openOne(generators, folders, openings, defaultName, main, config.backend(), config.device(),
          config.model().placement(), config, limits, embeddings.loaded());
      for (Map.Entry<String, Ldm4jConfig.NamedModel> e : config.models().entrySet()) {
        if (e.getKey().equals(defaultName)) {
          throw new IllegalStateException("quarkus.ldm4j.models.\"" + e.getKey()
              + "\" clashes with the default model's name (quarkus.ldm4j.model.name)");
        }
        Ldm4jConfig.NamedModel m = e.getValue();
        openOne(generators, folders, openings, e.getKey(), m.path(), m.backend().orElse(config.backend()),
            m.device().orElse(config.device()), m.placement(), config, limits, embeddings.loaded());
      }
    } catch (RuntimeException e) {
      generators.values().forEach(Generator::close);
      throw e;
    }
    return new Ldm4jPipelines(defaultName, generators, folders, openings, defaults, limits, library, config.cache(),
        config.limits().requestTimeout(), embeddings);
  }

  /**
   * The embeddings of {@code library}'s embeddings folder ({@link EmbeddingFiles#readAll(ModelLibrary)};
   * a file that cannot be read is a problem line, left out as A1111 skips it); none without a library.
   *
   * @throws IllegalStateException when the folder cannot be listed
   */
  private static EmbeddingRead readEmbeddings(Optional<ModelLibrary> library) {
    Optional<Path> folder = library.flatMap(l -> l.folder(ModelKind.EMBEDDING));
    if (folder.isEmpty()) {
      return new EmbeddingRead(EmbeddingFiles.Loaded.NONE, Map.of());
    }
    try {
      List<ModelEntry> entries = library.get().list(ModelKind.EMBEDDING);
      EmbeddingFiles.Loaded loaded = EmbeddingFiles.readAll(entries);
      Map<String, String> unreadable = new LinkedHashMap<>();
      for (ModelEntry e : entries) {
        if (!loaded.files().containsValue(e.file())) {
          String why = loaded.problems().stream().filter(p -> p.startsWith("embedding " + e.file() + " "))
              .findFirst().orElse("embedding " + e.file() + " skipped");
          unreadable.putIfAbsent(e.stem(), why.replace(folder.get().toString(), ModelKind.EMBEDDING.folder()));
        }
      }
      loaded.problems().forEach(p -> LOG.warn(p)); // as the CLI warns: the others are used
      return new EmbeddingRead(loaded, unreadable);
    } catch (IOException e) {
      throw new IllegalStateException("ldm4j: cannot read the embeddings folder: " + e.getMessage(), e);
    }
  }

  /**
   * One reading of the embeddings folder.
   *
   * @param loaded the embeddings read
   * @param unreadable the names (file names without extension) of the files left out (unreadable, or
   *     a name another file has), each with why
   */
  private record EmbeddingRead(EmbeddingFiles.Loaded loaded, Map<String, String> unreadable) {}

  /** The textual-inversion embeddings pipelines are opened with now (read at startup or by the last refresh). */
  public EmbeddingFiles.Loaded embeddings() {
    return embeddings.loaded();
  }

  /**
   * The embedding files of the last reading that were left out (unreadable, or a name another file
   * has), by name (file name without extension), each with why (the folder written as the library's
   * layout names it, no server path).
   */
  public Map<String, String> unreadableEmbeddings() {
    return embeddings.unreadable();
  }

  /**
   * Reads the embeddings folder again ({@code POST /sdapi/v1/refresh-embeddings}). When what it holds
   * changed (names, files or vectors), pipelines are opened with the new set from now on and the cached
   * ones opened with an older set are dropped (closed once no request uses them); when nothing changed,
   * nothing is reloaded.
   *
   * @throws IllegalStateException when the folder cannot be listed
   */
  public synchronized void refreshEmbeddings() {
    EmbeddingRead read = readEmbeddings(library);
    EmbeddingFiles.Loaded old = embeddings.loaded();
    if (sameContent(read.loaded(), old)) { // the same vectors: keep them (and the pipelines opened with them)
      embeddings = new EmbeddingRead(old, read.unreadable());
    } else {
      embeddings = read;
      cache.invalidate(k -> !k.embeddings().equals(read.loaded().embeddings()));
    }
  }

  private static boolean sameContent(EmbeddingFiles.Loaded a, EmbeddingFiles.Loaded b) {
    if (!a.files().equals(b.files()) || a.embeddings().size() != b.embeddings().size()) {
      return false;
    }
    for (int i = 0; i < a.embeddings().size(); i++) {
      var x = a.embeddings().get(i);
      var y = b.embeddings().get(i);
      if (!x.name().equals(y.name()) || !x.vectors().shape().equals(y.vectors().shape())) {
        return false;
      }
      for (int j = 0; j < x.vectors().size(); j++) {
        if (Float.floatToIntBits(x.vectors().get(j)) != Float.floatToIntBits(y.vectors().get(j))) {
          return false;
        }
      }
    }
    return true;
  }

  /**
   * The library of {@code quarkus.ldm4j.library.*}; empty when no folder is configured. Hashes are
   * cached in the ldm4j home ({@code hashes.tsv}, shared with the CLI).
   */
  static Optional<ModelLibrary> library(Ldm4jConfig.Library c) {
    Map<ModelKind, Path> overrides = new EnumMap<>(ModelKind.class);
    c.checkpointsDir().ifPresent(p -> overrides.put(ModelKind.CHECKPOINT, p));
    c.vaeDir().ifPresent(p -> overrides.put(ModelKind.VAE, p));
    c.loraDir().ifPresent(p -> overrides.put(ModelKind.LORA, p));
    c.embeddingsDir().ifPresent(p -> overrides.put(ModelKind.EMBEDDING, p));
    if (c.modelsDir().isEmpty() && overrides.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(new ModelLibrary(ModelLibrary.folders(c.modelsDir().orElse(null), overrides),
        new FileHashes(Optional.of(Ldm4jHome.path().resolve("hashes.tsv")))));
  }

  /**
   * The backend options of {@code config} for a model on {@code device} with {@code placement}: the
   * knobs configured, the others at {@link BackendOptions#DEFAULTS}.
   */
  public static BackendOptions backendOptions(Ldm4jConfig config, String device,
      Map<io.github.ldm4j.folder.ModelComponent, Placement> placement) {
    BackendOptions d = BackendOptions.DEFAULTS;
    return new BackendOptions(device, config.threads(), config.interOpThreads().orElse(d.interOpThreads()),
        config.allowCpuFallback(), placement, config.optimization().orElse(d.optimization()), config.modelCache(),
        config.memoryArena().orElse(d.memoryArena()), config.memoryPattern().orElse(d.memoryPattern()));
  }

  private static void openOne(Map<String, Generator> into, Map<String, Path> folders, Map<String, Opening> openings,
      String name, Path dir, String backend, String device, Map<String, String> placement, Ldm4jConfig config,
      GenerationLimits limits, EmbeddingFiles.Loaded embeddings) {
    try {
      BackendOptions options = backendOptions(config, device, Placement.parseEach(placement, device));
      Opening opening = Opening.of(backend, options, config.precision());
      into.put(name, ModelSelection.isCheckpoint(dir)
          ? CheckpointGenerators.open(opening.request(dir), backend, options, limits, embeddings.embeddings())
          : Generator.open(dir, backend, options, limits, embeddings.embeddings()));
      folders.put(name, dir);
      openings.put(name, opening);
    } catch (Exception e) {
      throw new IllegalStateException("ldm4j: cannot open model \"" + name + "\" from " + dir.toAbsolutePath()
          + " with backend " + backend + " on " + device + (placement.isEmpty() ? "" : " (placement " + placement + ")")
          + ": " + e.getMessage(), e);
    }
  }

  /** Checks {@code quarkus.ldm4j.cache.*}; throws naming the property when invalid. */
  public static void checkCache(Ldm4jConfig config) {
    requirePositive("quarkus.ldm4j.cache.max-pipelines", config.cache().maxPipelines());
    if (config.cache().maxSize().isPresent() && config.cache().maxSize().get().asLongValue() < 1) {
      throw new IllegalArgumentException("quarkus.ldm4j.cache.max-size must be positive, got "
          + config.cache().maxSize().get().asLongValue() + " bytes");
    }
  }

  /** The generation limits of {@code quarkus.ldm4j.limits}; throws naming the property when invalid. */
  public static GenerationLimits limits(Ldm4jConfig config) {
    Ldm4jConfig.Limits l = config.limits();
    requirePositive("quarkus.ldm4j.limits.max-images", l.maxImages());
    requirePositive("quarkus.ldm4j.limits.queue-length", l.queueLength());
    requirePositive("quarkus.ldm4j.limits.concurrent-generations", l.concurrentGenerations());
    requirePositive("quarkus.ldm4j.limits.max-request-body-size", l.maxRequestBodySize());
    requirePositive("quarkus.ldm4j.limits.retry-after-seconds", l.retryAfterSeconds());
    if (l.requestTimeout().isNegative() || l.requestTimeout().isZero()) {
      throw new IllegalArgumentException("quarkus.ldm4j.limits.request-timeout must be positive, got " + l.requestTimeout());
    }
    try {
      return new GenerationLimits(l.maxWidth(), l.maxHeight(), l.maxPixels(), l.maxSteps(), l.maxImages(),
          GenerationLimits.DEFAULTS.tiledDecodeAbovePixels());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("invalid quarkus.ldm4j.limits.*: " + e.getMessage(), e);
    }
  }

  /** The generation defaults of {@code quarkus.ldm4j.defaults}; throws naming the property when invalid. */
  public static GenerationSettings defaults(Ldm4jConfig config) {
    Ldm4jConfig.Defaults d = config.defaults();
    try {
      GenerationSettings s = GenerationSettings.builder().size(d.width(), d.height()).steps(d.steps())
          .sampler(d.sampler().orElse(null), d.scheduler().orElse(null)).guidance(d.guidanceScale()).guidanceCutoff(d.guidanceCutoffSigma()).build();
      limits(config).check(s);
      return s;
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("invalid quarkus.ldm4j.defaults.*: " + e.getMessage(), e);
    }
  }

  private static void requirePositive(String property, long value) {
    if (value < 1) {
      throw new IllegalArgumentException(property + " must be >= 1, got " + value);
    }
  }

  /**
   * Whether {@code name} is one of OpenAI's own image model ids ({@code dall-e-*}, {@code
   * gpt-image-*}), which OpenAI clients send by default: served by the default model unless a model
   * of that name exists.
   */
  public static boolean isOpenAiModelId(String name) {
    return name.startsWith("dall-e-") || name.startsWith("gpt-image-");
  }

  /** The default model's name. */
  public String defaultName() {
    return defaultName;
  }

  /** Model names, the default first. */
  public List<String> names() {
    return new ArrayList<>(generators.keySet());
  }

  /** The folder a model was opened from. */
  public Path folder(String name) {
    return folders.get(name);
  }

  /** The generator of a model; empty for an unknown name. */
  public Optional<Generator> generator(String name) {
    return Optional.ofNullable(generators.get(Objects.requireNonNull(name, "name")));
  }

  /** The default model's generator (null on an API node without models). */
  public Generator defaultGenerator() {
    return generators.get(defaultName);
  }

  /** The generation limits (every model's). */
  public GenerationLimits limits() {
    return limits;
  }

  /** The request defaults: the configured ones with the CLIP skip of {@link #clipSkip(int)}. */
  public GenerationSettings defaults() {
    int skip = clipSkip;
    return skip == defaults.clipSkip() ? defaults : defaults.toBuilder().clipSkip(skip).build();
  }

  /**
   * Sets the CLIP skip of the requests from now on (1 = the last layer; A1111's option {@code
   * CLIP_stop_at_last_layers}).
   *
   * @throws IllegalArgumentException when {@code clipSkip} &lt; 1
   */
  public void clipSkip(int clipSkip) {
    if (clipSkip < 1) {
      throw new IllegalArgumentException("CLIP skip must be >= 1 (1 = the last layer), got " + clipSkip);
    }
    this.clipSkip = clipSkip;
  }

  /** Whether the models are open (true from startup until shutdown). */
  public synchronized boolean isOpen() {
    return !closed;
  }

  /**
   * The one seam from "checkpoint + VAE + LoRAs" to an opened pipeline: the checkpoint converted once
   * with its defaults (the {@code .yaml} beside it) at the opening's precision ({@code
   * quarkus.ldm4j.precision}) and without LoRAs into a cached model folder ({@link
   * CheckpointGenerators#folder}; disk work, done before the cache makes room), then opened with the
   * key's LoRA set applied at load time ({@link CheckpointGenerators#open(CheckpointFolders.Request,
   * String, io.github.ldm4j.spi.BackendOptions, GenerationLimits, java.util.List)}: only the touched
   * weights merged, no conversion per set; a backend that cannot replace weights, and an int8
   * conversion, get the conversion with the set merged). A model folder (a configured model served here because the embeddings
   * changed, or with LoRAs) is opened as it is, or with the key's LoRA set applied at load time when ldm4j
   * converted it ({@link CheckpointGenerators#openFolder}; {@code ModelSelection} admits LoRAs on no other folder). The pipeline gets the key's textual-inversion embeddings. Its size is
   * the converted folder's (the networks' weights).
   */
  static PipelineCache.Prepared<Generator> prepare(PipelineKey key, GenerationLimits limits) throws IOException {
    if (ModelSelection.isCheckpoint(key.checkpoint())) {
      CheckpointFolders.Request request = key.opening().request(key.checkpoint()).withVae(key.vae())
          .withLoras(key.loras());
      long bytes = sizeOf(CheckpointGenerators.folder(request, key.opening().backend(), key.opening().options()));
      return prepared(bytes, () -> CheckpointGenerators.open(request, key.opening().backend(), key.opening().options(),
          limits, key.embeddings()));
    }
    Path folder = key.checkpoint();
    return prepared(sizeOf(folder), () -> CheckpointGenerators.openFolder(folder, key.loras(), key.opening().backend(),
        key.opening().options(), limits, key.embeddings()));
  }

  /** The opener of a pipeline of {@code bytes}. */
  private static PipelineCache.Prepared<Generator> prepared(long bytes, java.util.concurrent.Callable<Generator> opener) {
    return new PipelineCache.Prepared<>() {
      @Override
      public long bytes() {
        return bytes;
      }

      @Override
      public Generator open() throws Exception {
        return opener.call();
      }
    };
  }

  private static long sizeOf(Path folder) throws IOException {
    try (Stream<Path> files = Files.walk(folder)) {
      return files.filter(Files::isRegularFile).mapToLong(p -> {
        try {
          return Files.size(p);
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }).sum();
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
  }

  /** The hash part of an A1111 title ({@code name.safetensors [0123456789]}). */
  private static final String TITLE_HASH = "\\s+\\[[0-9a-fA-F]{8,64}\\]$";

  /** The model library, if one is configured. */
  public Optional<ModelLibrary> library() {
    return library;
  }

  /** The cache of the pipelines opened on demand. */
  public PipelineCache<PipelineKey, Generator> cache() {
    return cache;
  }

  /** The active model and VAE. */
  public Active active() {
    return active;
  }

  /**
   * A model a request names, resolved.
   *
   * @param name the name it is known by (a configured model's, a library checkpoint's)
   * @param path its folder or checkpoint file
   * @param configured whether it is a configured model (then {@link #generator} has it open)
   */
  public record Target(String name, Path path, boolean configured) {}

  /**
   * Why LoRAs cannot be merged into {@code target}, or empty when they can: they map onto the weights
   * of a checkpoint file or of a folder ldm4j converted, not onto another ONNX folder's. One rule for
   * the local node and the workers of the Redis queue.
   */
  public static Optional<String> lorasRefused(Target target) {
    if (ModelSelection.isCheckpoint(target.path())
        || io.github.ldm4j.checkpoint.sd.ConvertedFolder.isConverted(target.path())) {
      return Optional.empty();
    }
    return Optional.of("LoRAs are merged into a checkpoint's weights: model '" + target.name() + "' is a model folder,"
        + " not a checkpoint file, and not one ldm4j converted (whose weights LoRAs map onto); select a checkpoint"
        + " (GET /sdapi/v1/sd-models)");
  }

  /** A model name that names nothing (configured or in the library). */
  public static final class UnknownModelException extends RuntimeException {
    UnknownModelException(String message) {
      super(message);
    }
  }

  /**
   * The model {@code name} selects: the active model when null or blank; a configured model; an
   * OpenAI model id ({@code dall-e-*}, {@code gpt-image-*}, which clients send by default) that names
   * no configured model is the active model; else a library checkpoint by name ({@code sub/name},
   * extension optional) or by A1111 title ({@code name.safetensors [hash]}) — the configured model
   * when one was configured with that very file ({@code serve --models-dir DIR --model NAME}), so the
   * file is not opened twice.
   *
   * @throws UnknownModelException naming the known models when nothing matches
   * @throws IllegalArgumentException for an unsafe name
   */
  public Target target(String name) throws IOException {
    if (name == null || name.isBlank()) {
      return target(active.model());
    }
    String untitled = name.replaceFirst(TITLE_HASH, "");
    if (generators.containsKey(name) || generators.containsKey(untitled)) {
      String n = generators.containsKey(name) ? name : untitled;
      return new Target(n, folders.get(n), true);
    }
    if (isOpenAiModelId(name)) {
      return target(active.model());
    }
    Optional<ModelEntry> entry = libraryEntry(ModelKind.CHECKPOINT, name);
    if (entry.isPresent()) {
      Path file = entry.get().file().toAbsolutePath().normalize();
      for (Map.Entry<String, Path> c : folders.entrySet()) { // a configured model of that file: already open
        if (c.getValue().toAbsolutePath().normalize().equals(file)) {
          return new Target(c.getKey(), c.getValue(), true);
        }
      }
      return new Target(entry.get().name(), file, false);
    }
    List<String> known = new ArrayList<>(names());
    if (library.isPresent()) {
      library.get().list(ModelKind.CHECKPOINT).forEach(e -> known.add(e.name()));
    }
    throw new UnknownModelException("unknown model '" + name + "'; known: " + known);
  }

  /**
   * The library entry of {@code kind} named {@code name} or titled {@code name [hash]} (A1111's
   * title); empty when there is no library or it holds none of that name.
   *
   * @throws IllegalArgumentException for an unsafe or ambiguous name
   */
  public Optional<ModelEntry> libraryEntry(ModelKind kind, String name) throws IOException {
    if (library.isEmpty() || library.get().folder(kind).isEmpty()) {
      return Optional.empty();
    }
    String n = name.replaceFirst(TITLE_HASH, "");
    try {
      return Optional.of(library.get().require(kind, n));
    } catch (IllegalArgumentException e) {
      if (e.getMessage().startsWith("no ")) {
        return Optional.empty();
      }
      throw new IllegalArgumentException(e.getMessage().replace(library.get().folder(kind).get().toString(),
          kind.folder() + "/"), e);
    }
  }

  /**
   * Makes {@code model} the active model (A1111's {@code sd_model_checkpoint}) and {@code vae} the
   * VAE of checkpoints (empty: their own), loading the pipeline now so that a bad file fails here.
   *
   * @throws UnknownModelException for an unknown model
   * @throws IllegalArgumentException for an unknown VAE
   */
  public void activate(String model, Optional<String> vae) throws IOException, InterruptedException, TimeoutException {
    Target t = target(model);
    Active next = new Active(t.name(), vae);
    try (Use u = use(t, next.vae(), List.of())) {
      active = next;
    }
  }

  /**
   * A pipeline for {@code target} with the VAE named {@code vae} (library name; checkpoints only,
   * ignored for a model folder) and {@code loras}: the configured model's own when it is plain, else
   * one of the cache (loaded now, or shared with a load in progress, waiting at most the request
   * timeout) — also for a plain configured model once the embeddings changed since startup. Every
   * pipeline has the current {@link #embeddings()}. Close the returned use when the generation ended.
   *
   * @throws IllegalArgumentException for LoRAs on a model folder ldm4j did not convert, or an unknown VAE
   * @throws PipelineCache.LoadException when loading failed
   * @throws TimeoutException when no pipeline could be opened within the request timeout
   */
  public Use use(Target target, Optional<String> vae, List<NamedLora> loras)
      throws IOException, InterruptedException, TimeoutException {
    Optional<Path> vaeFile = Optional.empty();
    if (vae.isPresent() && ModelSelection.isCheckpoint(target.path())) {
      vaeFile = Optional.of(libraryEntry(ModelKind.VAE, vae.get())
          .orElseThrow(() -> new IllegalArgumentException("unknown VAE '" + vae.get() + "'")).file());
    }
    ModelSelection selection = new ModelSelection(target.path(), vaeFile, loras);
    EmbeddingFiles.Loaded set = embeddings.loaded();
    if (target.configured() && selection.vae().isEmpty() && selection.loraSet().isEmpty()
        && set.embeddings().equals(startupEmbeddings.embeddings())) {
      return new Use(target, selection, generators.get(target.name()), set, null);
    }
    Opening opening = openings.getOrDefault(target.name(), openings.get(defaultName));
    PipelineKey key = new PipelineKey(selection.model(), selection.vae(), selection.loraSet(), opening, set.embeddings());
    PipelineCache<PipelineKey, Generator>.Lease lease = cache.acquire(key, timeout);
    return new Use(target, selection, lease.value(), set, lease);
  }

  /**
   * Why each of the current {@link #embeddings()} cannot be used with the active model and VAE, by name
   * (absent: it can): what A1111's {@code GET /sdapi/v1/embeddings} lists as {@code skipped}. The
   * active model's pipeline is used as {@link #use} gives it (loaded now if it was evicted).
   *
   * @throws UnknownModelException when the active model's file is gone
   * @throws PipelineCache.LoadException when it cannot be loaded
   * @throws TimeoutException when no pipeline could be opened within the request timeout
   */
  public Map<String, String> unusableWithActiveModel() throws IOException, InterruptedException, TimeoutException {
    Active a = active;
    Map<String, String> out = new LinkedHashMap<>();
    try (Use u = use(target(a.model()), a.vae(), List.of())) {
      if (u.generator().model().condStage() instanceof ClipCondStage clip) {
        for (EmbeddingTable.Entry e : clip.embeddings().entries()) {
          e.unusable().ifPresent(why -> out.put(e.embedding().name(), why));
        }
      } else {
        u.embeddings().embeddings().forEach(t -> out.put(t.name(), "the model has no CLIP text encoder"));
      }
    }
    return out;
  }

  /** The hash cache of the library (or of the ldm4j home when there is none). */
  public FileHashes hashes() {
    return hashes;
  }

  /**
   * One request's use of a pipeline: the generator (valid until {@link #close()}), what it was made
   * of; closing releases a cached pipeline (idempotent).
   */
  public static final class Use implements AutoCloseable {
    private final Target target;
    private final ModelSelection selection;
    private final Generator generator;
    private final EmbeddingFiles.Loaded embeddings;
    private final AutoCloseable lease;

    Use(Target target, ModelSelection selection, Generator generator, EmbeddingFiles.Loaded embeddings,
        AutoCloseable lease) {
      this.target = target;
      this.selection = selection;
      this.generator = generator;
      this.embeddings = embeddings;
      this.lease = lease;
    }

    /** The textual-inversion embeddings the generator was opened with (and their files, for {@code TI hashes}). */
    public EmbeddingFiles.Loaded embeddings() {
      return embeddings;
    }

    /** The model. */
    public Target target() {
      return target;
    }

    /** The checkpoint (or folder), VAE and LoRAs by name. */
    public ModelSelection selection() {
      return selection;
    }

    /** The generator. */
    public Generator generator() {
      return generator;
    }

    @Override
    public void close() {
      if (lease != null) {
        try {
          lease.close();
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      }
    }
  }

  /** Closes every generator and the cache (once). */
  @Override
  public synchronized void close() {
    if (!closed) {
      closed = true;
      cache.close();
      generators.values().forEach(Generator::close);
    }
  }
}
