package io.github.ldm4j.backend.openvino;

import io.github.ldm4j.folder.ModelComponent;
import io.github.ldm4j.spi.BackendOptions;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * How the OpenVINO backend compiles and runs a model.
 *
 * @param device the device of every component without its own placement
 * @param placement per-component devices (e.g. the VAE decoder on the CPU, the UNet on the GPU)
 * @param performanceHint {@code PERFORMANCE_HINT}; empty = the device's default
 * @param inferencePrecision {@code INFERENCE_PRECISION_HINT}; empty = the device's default
 * @param inferenceThreads {@code INFERENCE_NUM_THREADS}; 0 = the runtime decides
 * @param cacheDir {@code CACHE_DIR}: where OpenVINO stores compiled blobs, so later compiles of the
 *     same model and shape load instead of compiling; empty = no cache
 * @param staticShapes whether each network is reshaped to the exact batch and resolution before
 *     compiling (fast on CPU, required on NPU); false compiles the model's own, possibly dynamic,
 *     shapes once
 * @param compiledShapes how many compiled shapes each network keeps (least recently used evicted)
 * @param inferRequests how many infer requests each compiled model pools (concurrent inferences)
 */
public record OpenVinoOptions(
    OpenVinoDevice device,
    Map<ModelComponent, OpenVinoDevice> placement,
    Optional<PerformanceHint> performanceHint,
    Optional<InferencePrecision> inferencePrecision,
    int inferenceThreads,
    Optional<Path> cacheDir,
    boolean staticShapes,
    int compiledShapes,
    int inferRequests) {

  /** CPU, device defaults, static shapes, 4 compiled shapes and 4 requests per network. */
  public static final OpenVinoOptions DEFAULTS = new OpenVinoOptions(OpenVinoDevice.CPU, Map.of(), Optional.empty(),
      Optional.empty(), 0, Optional.empty(), true, 4, 4);

  /** Validates and copies. */
  public OpenVinoOptions {
    Objects.requireNonNull(device, "device");
    Objects.requireNonNull(placement, "placement");
    Objects.requireNonNull(performanceHint, "performanceHint");
    Objects.requireNonNull(inferencePrecision, "inferencePrecision");
    Objects.requireNonNull(cacheDir, "cacheDir");
    placement = placement.isEmpty() ? Map.of() : Map.copyOf(new EnumMap<>(placement));
    if (inferenceThreads < 0) {
      throw new IllegalArgumentException("inferenceThreads must be >= 0 (0 = runtime default), got " + inferenceThreads);
    }
    if (compiledShapes < 1) {
      throw new IllegalArgumentException("compiledShapes must be >= 1, got " + compiledShapes);
    }
    if (inferRequests < 1) {
      throw new IllegalArgumentException("inferRequests must be >= 1, got " + inferRequests);
    }
  }

  /**
   * The backend-neutral options mapped: {@code device} parsed as an {@link OpenVinoDevice} (so
   * {@code cpu}, {@code gpu}, {@code npu}, {@code auto}), {@code intraOpThreads} as {@code
   * INFERENCE_NUM_THREADS}, {@code allowCpuFallback} as {@code AUTO:<device>,CPU} and {@code
   * modelCache} as {@code CACHE_DIR} (graph optimisation, arena and memory pattern are ONNX Runtime's).
   *
   * @throws IllegalArgumentException for an unsupported device name
   */
  public static OpenVinoOptions from(BackendOptions options) {
    OpenVinoDevice d = OpenVinoDevice.parse(options.device());
    OpenVinoOptions o = DEFAULTS.withDevice(options.allowCpuFallback() ? d.withCpuFallback() : d)
        .withInferenceThreads(options.intraOpThreads());
    return options.modelCache().isPresent() ? o.withCacheDir(options.modelCache().get()) : o;
  }

  /** The device of {@code component}: its placement, else {@link #device()}. */
  public OpenVinoDevice deviceFor(ModelComponent component) {
    return placement.getOrDefault(component, device);
  }

  /** The {@code ov_core_compile_model} properties these options set, in a fixed order. */
  public Map<String, String> compileProperties() {
    Map<String, String> p = new LinkedHashMap<>();
    performanceHint.ifPresent(h -> p.put("PERFORMANCE_HINT", h.name()));
    inferencePrecision.ifPresent(x -> p.put("INFERENCE_PRECISION_HINT", x.value()));
    if (inferenceThreads > 0) {
      p.put("INFERENCE_NUM_THREADS", Integer.toString(inferenceThreads));
    }
    cacheDir.ifPresent(c -> p.put("CACHE_DIR", c.toAbsolutePath().toString()));
    return p;
  }

  /** A copy on {@code d}. */
  public OpenVinoOptions withDevice(OpenVinoDevice d) {
    return new OpenVinoOptions(d, placement, performanceHint, inferencePrecision, inferenceThreads, cacheDir,
        staticShapes, compiledShapes, inferRequests);
  }

  /** A copy with {@code component} placed on {@code d}. */
  public OpenVinoOptions withPlacement(ModelComponent component, OpenVinoDevice d) {
    EnumMap<ModelComponent, OpenVinoDevice> m = new EnumMap<>(ModelComponent.class);
    m.putAll(placement);
    m.put(component, d);
    return new OpenVinoOptions(device, m, performanceHint, inferencePrecision, inferenceThreads, cacheDir,
        staticShapes, compiledShapes, inferRequests);
  }

  /** A copy with the performance hint set. */
  public OpenVinoOptions withPerformanceHint(PerformanceHint h) {
    return new OpenVinoOptions(device, placement, Optional.of(h), inferencePrecision, inferenceThreads, cacheDir,
        staticShapes, compiledShapes, inferRequests);
  }

  /** A copy with the inference precision hint set. */
  public OpenVinoOptions withInferencePrecision(InferencePrecision x) {
    return new OpenVinoOptions(device, placement, performanceHint, Optional.of(x), inferenceThreads, cacheDir,
        staticShapes, compiledShapes, inferRequests);
  }

  /** A copy with {@code INFERENCE_NUM_THREADS} set (0 = runtime default). */
  public OpenVinoOptions withInferenceThreads(int threads) {
    return new OpenVinoOptions(device, placement, performanceHint, inferencePrecision, threads, cacheDir,
        staticShapes, compiledShapes, inferRequests);
  }

  /** A copy with the compiled-blob cache folder set. */
  public OpenVinoOptions withCacheDir(Path dir) {
    return new OpenVinoOptions(device, placement, performanceHint, inferencePrecision, inferenceThreads,
        Optional.of(dir), staticShapes, compiledShapes, inferRequests);
  }

  /** A copy with static reshaping on or off. */
  public OpenVinoOptions withStaticShapes(boolean on) {
    return new OpenVinoOptions(device, placement, performanceHint, inferencePrecision, inferenceThreads, cacheDir,
        on, compiledShapes, inferRequests);
  }

  /** A copy keeping {@code n} compiled shapes per network. */
  public OpenVinoOptions withCompiledShapes(int n) {
    return new OpenVinoOptions(device, placement, performanceHint, inferencePrecision, inferenceThreads, cacheDir,
        staticShapes, n, inferRequests);
  }

  /** A copy pooling {@code n} infer requests per compiled model. */
  public OpenVinoOptions withInferRequests(int n) {
    return new OpenVinoOptions(device, placement, performanceHint, inferencePrecision, inferenceThreads, cacheDir,
        staticShapes, compiledShapes, n);
  }
}
