package io.github.ldm4j.backend.onnx.bench;

import ai.onnxruntime.OrtEnvironment;
import io.github.ldm4j.testkit.sd.SdModel;
import io.github.ldm4j.testkit.sd.SdOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * Entry point of the ONNX backend benchmarks: {@code pipeline} ({@link PipelineBench}, ldm4j's
 * txt2img with the time inside ONNX Runtime's {@code run} traced) or {@code floor} ({@link
 * FloorBench}, the same networks called with plain ONNX Runtime Java). Run the two modes in
 * separate JVMs so that each reports its own peak RSS. See {@code docs/benchmarks.md}.
 */
public final class OnnxBench {

  private OnnxBench() {}

  /** {@code pipeline|floor [options]}; see {@link BenchSettings#USAGE}. */
  public static void main(String[] args) throws Exception {
    if (args.length == 0 || !(args[0].equals("pipeline") || args[0].equals("floor"))) {
      System.err.println(BenchSettings.USAGE);
      System.exit(2);
    }
    BenchSettings settings = BenchSettings.parse(args, 1);
    System.out.printf("JDK %s, ONNX Runtime %s, %d CPUs, load average %s, intra-op threads %s%n",
        Runtime.version(), OrtEnvironment.getEnvironment().getVersion(), Runtime.getRuntime().availableProcessors(),
        Stats.loadAverage(), settings.threads() == 0 ? "ONNX Runtime default" : settings.threads());
    Path tmp = null;
    Path model;
    if (settings.model().isPresent()) {
      model = settings.model().get();
    } else {
      tmp = Files.createTempDirectory("ldm4j-bench-tiny-sd");
      SdModel.write(tmp, SdOptions.tiny());
      model = tmp;
      System.out.println("model: testkit tiny SD (SdOptions.tiny(), fp32, optimum flavor) in " + tmp);
    }
    try {
      if (args[0].equals("pipeline")) {
        PipelineBench.run(model, settings);
      } else {
        FloorBench.run(model, settings);
      }
    } finally {
      if (tmp != null) {
        deleteTree(tmp);
      }
    }
    System.out.printf("peak RSS (VmHWM) %.0f MiB, load average now %s%n", Stats.peakRssMiB(), Stats.loadAverage());
  }

  private static void deleteTree(Path dir) throws IOException {
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
