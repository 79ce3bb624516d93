package io.github.ldm4j.quarkus.runtime;

import io.github.ldm4j.generate.GenerationLimits;
import io.github.ldm4j.generate.GenerationSettings;
import io.github.ldm4j.generate.Generator;
import io.github.ldm4j.spi.BackendOptions;
import io.github.ldm4j.spi.Placement;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The opened models of the application, by name: the default model plus the named ones of
 * {@code quarkus.ldm4j.models}. Created at startup (an invalid model fails the startup with a
 * message naming the model and the folder); owns its {@link Generator}s and closes them in {@link
 * #close()} (idempotent), which the container calls at shutdown.
 */
public final class Ldm4jPipelines implements AutoCloseable {

  /** Why opening fails when {@code quarkus.ldm4j.model.path} is not set. */
  static final String NO_MODEL_PATH = "ldm4j: quarkus.ldm4j.model.path is not set: point it at a model folder"
      + " (diffusers / optimum ONNX layout); the extension has no built-in model (the ldm4j app uses its embedded"
      + " demo model when no --model is given)";

  private final String defaultName;
  private final Map<String, Generator> generators;
  private final Map<String, Path> folders;
  private final GenerationSettings defaults;
  private boolean closed;

  private Ldm4jPipelines(String defaultName, Map<String, Generator> generators, Map<String, Path> folders,
      GenerationSettings defaults) {
    this.defaultName = defaultName;
    this.generators = Collections.unmodifiableMap(generators);
    this.folders = Collections.unmodifiableMap(folders);
    this.defaults = defaults;
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
      return new Ldm4jPipelines(config.model().name(), new LinkedHashMap<>(), new LinkedHashMap<>(), defaults);
    }
    Map<String, Generator> generators = new LinkedHashMap<>();
    Map<String, Path> folders = new LinkedHashMap<>();
    String defaultName = config.model().name();
    try {
      Path main = config.model().path().orElseThrow(() -> new IllegalStateException(NO_MODEL_PATH));
      openOne(generators, folders, defaultName, main, config.backend(), config.device(), config.model().placement(),
          config, limits);
      for (Map.Entry<String, Ldm4jConfig.NamedModel> e : config.models().entrySet()) {
        if (e.getKey().equals(defaultName)) {
          throw new IllegalStateException("quarkus.ldm4j.models.\"" + e.getKey()
              + "\" clashes with the default model's name (quarkus.ldm4j.model.name)");
        }
        Ldm4jConfig.NamedModel m = e.getValue();
        openOne(generators, folders, e.getKey(), m.path(), m.backend().orElse(config.backend()),
            m.device().orElse(config.device()), m.placement(), config, limits);
      }
    } catch (RuntimeException e) {
      generators.values().forEach(Generator::close);
      throw e;
    }
    return new Ldm4jPipelines(defaultName, generators, folders, defaults);
  }

  private static void openOne(Map<String, Generator> into, Map<String, Path> folders, String name, Path dir,
      String backend, String device, Map<String, String> placement, Ldm4jConfig config, GenerationLimits limits) {
    try {
      BackendOptions options = new BackendOptions(device, config.threads(), 0, config.allowCpuFallback(),
          Placement.parseEach(placement, device));
      into.put(name, Generator.open(dir, backend, options, limits));
      folders.put(name, dir);
    } catch (Exception e) {
      throw new IllegalStateException("ldm4j: cannot open model \"" + name + "\" from " + dir.toAbsolutePath()
          + " with backend " + backend + " on " + device + (placement.isEmpty() ? "" : " (placement " + placement + ")")
          + ": " + e.getMessage(), e);
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
          .sampler(d.sampler().orElse(null), d.scheduler().orElse(null)).guidance(d.guidanceScale()).build();
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

  /** The request defaults. */
  public GenerationSettings defaults() {
    return defaults;
  }

  /** Whether the models are open (true from startup until shutdown). */
  public synchronized boolean isOpen() {
    return !closed;
  }

  /** Closes every generator (once). */
  @Override
  public synchronized void close() {
    if (!closed) {
      closed = true;
      generators.values().forEach(Generator::close);
    }
  }
}
