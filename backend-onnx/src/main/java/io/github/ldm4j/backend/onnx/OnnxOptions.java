package io.github.ldm4j.backend.onnx;

import io.github.ldm4j.folder.ModelComponent;
import io.github.ldm4j.spi.BackendOptions;
import io.github.ldm4j.spi.GraphOptimization;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * How the ONNX backend opens a model.
 *
 * @param provider the execution provider of every component without its own placement
 * @param placement per-component execution providers (e.g. the VAE decoder on the CPU)
 * @param allowCpuFallback whether ONNX Runtime may run nodes its provider cannot take on the CPU;
 *     when false, a provider that cannot take the whole graph is an error
 * @param intraOpThreads threads within an operator (0 = ONNX Runtime decides)
 * @param interOpThreads threads across operators (0 = ONNX Runtime decides; only used when &gt; 1)
 * @param optimization graph optimisation level
 * @param optimizedModelCache folder where optimised graphs are saved and loaded from (one folder per
 *     component, network file, its size and time, level and provider: a changed model or option
 *     never reuses a stale graph), so later sessions skip the optimisation; empty to save nothing
 * @param memoryArena whether the CPU memory arena is used
 * @param memoryPattern whether memory-pattern planning is used (fast for fixed shapes)
 */
public record OnnxOptions(
    ExecutionProvider provider,
    Map<ModelComponent, ExecutionProvider> placement,
    boolean allowCpuFallback,
    int intraOpThreads,
    int interOpThreads,
    GraphOptimization optimization,
    Optional<Path> optimizedModelCache,
    boolean memoryArena,
    boolean memoryPattern) {

  /** {@link BackendOptions#DEFAULTS} mapped (CPU, all optimisations, arena on, memory pattern off). */
  public static final OnnxOptions DEFAULTS = from(BackendOptions.DEFAULTS);

  /** Validates and copies. */
  public OnnxOptions {
    Objects.requireNonNull(provider, "provider");
    Objects.requireNonNull(placement, "placement");
    Objects.requireNonNull(optimization, "optimization");
    Objects.requireNonNull(optimizedModelCache, "optimizedModelCache");
    placement = placement.isEmpty() ? Map.of() : Map.copyOf(new EnumMap<>(placement));
    if (intraOpThreads < 0 || interOpThreads < 0) {
      throw new IllegalArgumentException(
          "thread counts must be >= 0 (0 = runtime default), got intra=" + intraOpThreads + ", inter=" + interOpThreads);
    }
  }

  /**
   * The backend-neutral options mapped onto ONNX options: {@code device} parsed as a provider, the
   * threads, graph optimisation level, model cache (optimised graphs), arena and memory pattern as
   * given (the per-component placement is resolved per request by {@link OnnxBackend#open}).
   *
   * @throws IllegalArgumentException for an unknown execution provider
   */
  public static OnnxOptions from(BackendOptions options) {
    return new OnnxOptions(
        ExecutionProvider.parse(options.device()), Map.of(), options.allowCpuFallback(),
        options.intraOpThreads(), options.interOpThreads(), options.optimization(), options.modelCache(),
        options.memoryArena(), options.memoryPattern());
  }

  /** The provider of {@code component}: its placement, else {@link #provider()}. */
  public ExecutionProvider providerFor(ModelComponent component) {
    return placement.getOrDefault(component, provider);
  }

  /** A copy with {@code component} placed on {@code ep}. */
  public OnnxOptions withPlacement(ModelComponent component, ExecutionProvider ep) {
    EnumMap<ModelComponent, ExecutionProvider> m = new EnumMap<>(ModelComponent.class);
    m.putAll(placement);
    m.put(component, ep);
    return new OnnxOptions(provider, m, allowCpuFallback, intraOpThreads, interOpThreads, optimization,
        optimizedModelCache, memoryArena, memoryPattern);
  }

  /** A copy with the intra-op thread count set. */
  public OnnxOptions withIntraOpThreads(int threads) {
    return new OnnxOptions(provider, placement, allowCpuFallback, threads, interOpThreads, optimization,
        optimizedModelCache, memoryArena, memoryPattern);
  }
}
