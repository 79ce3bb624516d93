package io.github.ldm4j.app;

import io.github.ldm4j.spi.BackendOptions;
import io.github.ldm4j.spi.GraphOptimization;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine.Option;

/**
 * The runtime knobs of {@link BackendOptions}: threads, graph optimisation, model cache, memory arena
 * and memory pattern, shared by {@code generate}, {@code worker}, {@code inspect}, {@code bench}
 * (applied over {@link BackendOptions#DEFAULTS}, the one home of their defaults) and {@code serve}
 * (as {@code quarkus.ldm4j.*} properties). An option not given leaves the default.
 */
final class TuningOptions {

  @Option(names = "--threads", paramLabel = "N", description = "Threads inside one operator (ONNX Runtime intra-op, "
      + "OpenVINO INFERENCE_NUM_THREADS). Default: the runtime's (one per physical core). Fewer threads leave cores "
      + "to other work at a proportional cost in speed.")
  Integer threads;

  @Option(names = "--inter-op-threads", paramLabel = "N", description = "Threads running independent operators at "
      + "once (ONNX Runtime; > 1 switches to its parallel executor). Default: sequential. Rarely helps a UNet, whose "
      + "operators depend on each other; each thread adds a pool.")
  Integer interOpThreads;

  @Option(names = "--optimization", paramLabel = "LEVEL", description = "ONNX Runtime graph optimisation: disabled, "
      + "basic, extended or all (default). extended skips the layout rewrites tuned to this CPU: on SD v1.5 sessions open "
      + "3x sooner with less memory (2.4 GiB less at 512 px), a UNet call is 1-3 % slower and a batch's images are within one "
      + "level of the same seeds run one by one instead of identical (docs/benchmarks.md, #18): the choice for one-off runs.")
  String optimization;

  @Option(names = "--model-cache", paramLabel = "DIR", description = "Keep optimised graphs (ONNX Runtime) or compiled "
      + "blobs (OpenVINO) in DIR, keyed by network file, level and device, so later opens skip the optimisation. Costs "
      + "disk: about the size of the model's weights again.")
  Path modelCache;

  @Option(names = "--memory-arena", negatable = true, description = "ONNX Runtime's CPU memory arena: keeps freed "
      + "buffers for reuse (faster allocation, a higher resident size). Default: on.")
  Boolean memoryArena;

  @Option(names = "--memory-pattern", negatable = true, description = "ONNX Runtime's memory-pattern planning from "
      + "the previous run of the same shapes. Default: off (on SD v1.5 it raised peak memory by 0.3-2.4 GiB and gained "
      + "no measurable speed).")
  Boolean memoryPattern;

  /**
   * {@code base} with the options given applied.
   *
   * @throws IllegalArgumentException (a usage error) for a negative thread count, an unknown level or a
   *     model cache that is not a folder
   */
  BackendOptions apply(BackendOptions base) {
    BackendOptions o = base;
    if (threads != null || interOpThreads != null) {
      int intra = threads != null ? threads : o.intraOpThreads();
      int inter = interOpThreads != null ? interOpThreads : o.interOpThreads();
      if (intra < 0 || inter < 0) {
        throw new IllegalArgumentException("--threads and --inter-op-threads must be >= 0, got "
            + (intra < 0 ? intra : inter));
      }
      o = o.withThreads(intra, inter);
    }
    if (optimization != null) {
      o = o.withOptimization(level());
    }
    if (modelCache != null) {
      try {
        o = o.withModelCache(Optional.of(modelCache));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("--model-cache: " + e.getMessage(), e);
      }
    }
    if (memoryArena != null || memoryPattern != null) {
      o = o.withMemory(memoryArena != null ? memoryArena : o.memoryArena(),
          memoryPattern != null ? memoryPattern : o.memoryPattern());
    }
    return o;
  }

  private GraphOptimization level() {
    try {
      return GraphOptimization.parse(optimization);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("--optimization: " + e.getMessage(), e);
    }
  }

  /**
   * The {@code quarkus.ldm4j.*} properties of the options given (checked as {@link #apply} checks them).
   *
   * @throws IllegalArgumentException (a usage error) as {@link #apply}
   */
  Map<String, String> configuration() {
    apply(BackendOptions.DEFAULTS);
    Map<String, String> c = new LinkedHashMap<>();
    if (threads != null) {
      c.put("quarkus.ldm4j.threads", threads.toString());
    }
    if (interOpThreads != null) {
      c.put("quarkus.ldm4j.inter-op-threads", interOpThreads.toString());
    }
    if (optimization != null) {
      c.put("quarkus.ldm4j.optimization", level().name());
    }
    if (modelCache != null) {
      c.put("quarkus.ldm4j.model-cache", modelCache.toAbsolutePath().toString());
    }
    if (memoryArena != null) {
      c.put("quarkus.ldm4j.memory-arena", memoryArena.toString());
    }
    if (memoryPattern != null) {
      c.put("quarkus.ldm4j.memory-pattern", memoryPattern.toString());
    }
    return c;
  }
}
