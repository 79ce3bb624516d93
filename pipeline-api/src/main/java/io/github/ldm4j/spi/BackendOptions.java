package io.github.ldm4j.spi;

import io.github.ldm4j.folder.ModelComponent;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * How a model's networks are opened and run: the one options type the library, the CLI ({@code
 * generate}, {@code serve}, {@code worker}, {@code bench}) and {@code quarkus.ldm4j.*} fill in. Each
 * backend maps what it supports ({@code OnnxOptions.from}, {@code OpenVinoOptions.from}) and ignores
 * the rest (said per field). What each knob costs is measured in {@code docs/performance.md}.
 *
 * @param device device / execution provider of every network without its own placement, e.g.
 *     {@code cpu}, {@code cuda:0}, {@code GPU}
 * @param intraOpThreads threads inside one operator; 0 lets the runtime decide (ONNX Runtime: one
 *     per physical core)
 * @param interOpThreads threads across operators; 0 lets the runtime decide (ONNX Runtime runs the
 *     graph sequentially unless this is &gt; 1; OpenVINO ignores it)
 * @param allowCpuFallback whether to fall back to the CPU when the device cannot run a component
 * @param placement per-component backend and device, overriding the model's backend and {@link
 *     #device()} (e.g. the UNet on {@code onnx:cuda:0}, the text encoder and VAE on {@code
 *     openvino:CPU})
 * @param optimization graph optimisation level (ONNX Runtime; OpenVINO ignores it)
 * @param modelCache folder where a backend keeps what it derived from a network so that later opens
 *     are quicker: ONNX Runtime's optimised graphs (keyed by the network file, its size and time,
 *     the level and the provider, so a changed model or option never reuses a stale one), OpenVINO's
 *     compiled blobs ({@code CACHE_DIR}); empty to keep nothing
 * @param memoryArena whether ONNX Runtime's CPU memory arena is used (freed buffers are kept for
 *     reuse: faster allocation, a higher resident size; OpenVINO ignores it)
 * @param memoryPattern whether ONNX Runtime plans the memory of a run from the previous run of the
 *     same shapes (OpenVINO ignores it)
 */
public record BackendOptions(
    String device, int intraOpThreads, int interOpThreads, boolean allowCpuFallback,
    Map<ModelComponent, Placement> placement, GraphOptimization optimization, Optional<Path> modelCache,
    boolean memoryArena, boolean memoryPattern) {

  /**
   * CPU, runtime-chosen threads, no fallback needed, every network on the model's backend, every
   * graph optimisation ({@code all}), no model cache, arena on, memory pattern off. Issue 18's
   * measurements (SD v1.5 fp32 on a 2-core CPU, {@code docs/benchmarks.md}): the memory pattern only
   * raised peak memory, with no measurable speed gain and the same bytes. {@code all} stays although
   * {@code extended} opens in 3 s instead of 9–11 s with less memory: {@code all} runs a UNet call
   * 1–3 % faster and keeps a batch's images bit-identical to the same seeds run one by one, which
   * {@code extended} does not (within one 8-bit level).
   */
  public static final BackendOptions DEFAULTS =
      new BackendOptions("cpu", 0, 0, false, Map.of(), GraphOptimization.ALL, Optional.empty(), true, false);

  /** Validates and copies. */
  public BackendOptions {
    Objects.requireNonNull(device, "device");
    if (device.isBlank()) {
      throw new IllegalArgumentException("device must not be blank");
    }
    if (intraOpThreads < 0 || interOpThreads < 0) {
      throw new IllegalArgumentException(
          "thread counts must be >= 0 (0 = runtime default), got intra=" + intraOpThreads + ", inter=" + interOpThreads);
    }
    Objects.requireNonNull(placement, "placement");
    placement = placement.isEmpty() ? Map.of() : Map.copyOf(new EnumMap<>(placement));
    Objects.requireNonNull(optimization, "optimization");
    Objects.requireNonNull(modelCache, "modelCache");
    if (modelCache.isPresent() && java.nio.file.Files.exists(modelCache.get())
        && !java.nio.file.Files.isDirectory(modelCache.get())) {
      throw new IllegalArgumentException("model cache " + modelCache.get() + " is not a folder");
    }
  }

  /** Options with per-component placement, the other settings at their {@link #DEFAULTS}. */
  public BackendOptions(String device, int intraOpThreads, int interOpThreads, boolean allowCpuFallback,
      Map<ModelComponent, Placement> placement) {
    this(device, intraOpThreads, interOpThreads, allowCpuFallback, placement, DEFAULTS.optimization,
        DEFAULTS.modelCache, DEFAULTS.memoryArena, DEFAULTS.memoryPattern);
  }

  /** Options without per-component placement, the other settings at their {@link #DEFAULTS}. */
  public BackendOptions(String device, int intraOpThreads, int interOpThreads, boolean allowCpuFallback) {
    this(device, intraOpThreads, interOpThreads, allowCpuFallback, Map.of());
  }

  /** Where {@code component} runs when the model's backend is {@code backend}. */
  public Placement placementFor(ModelComponent component, String backend) {
    Placement p = placement.get(component);
    return p != null ? p : new Placement(backend, device);
  }

  /** A copy with {@code component} placed on {@code where}. */
  public BackendOptions withPlacement(ModelComponent component, Placement where) {
    Map<ModelComponent, Placement> m = new EnumMap<>(ModelComponent.class);
    m.putAll(placement);
    m.put(Objects.requireNonNull(component, "component"), Objects.requireNonNull(where, "where"));
    return new BackendOptions(device, intraOpThreads, interOpThreads, allowCpuFallback, m, optimization, modelCache,
        memoryArena, memoryPattern);
  }

  /** A copy with these thread counts. */
  public BackendOptions withThreads(int intraOp, int interOp) {
    return new BackendOptions(device, intraOp, interOp, allowCpuFallback, placement, optimization, modelCache,
        memoryArena, memoryPattern);
  }

  /** A copy with this graph optimisation level. */
  public BackendOptions withOptimization(GraphOptimization level) {
    return new BackendOptions(device, intraOpThreads, interOpThreads, allowCpuFallback, placement, level, modelCache,
        memoryArena, memoryPattern);
  }

  /** A copy keeping derived models in {@code folder} (empty: none). */
  public BackendOptions withModelCache(Optional<Path> folder) {
    return new BackendOptions(device, intraOpThreads, interOpThreads, allowCpuFallback, placement, optimization, folder,
        memoryArena, memoryPattern);
  }

  /** A copy with the memory arena and memory pattern on or off. */
  public BackendOptions withMemory(boolean arena, boolean pattern) {
    return new BackendOptions(device, intraOpThreads, interOpThreads, allowCpuFallback, placement, optimization,
        modelCache, arena, pattern);
  }
}
