package io.github.ldm4j.backend.onnx.bench;

import ai.onnxruntime.OrtEnvironment;
import io.github.ldm4j.testkit.sd.SdModel;
import io.github.ldm4j.testkit.sd.SdOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * Entry point of the ONNX backend benchmarks. Modes: {@code pipeline} ({@link PipelineBench}:
 * ldm4j's txt2img with the time inside ONNX Runtime's {@code run} traced), {@code floor} ({@link
 * FloorBench}: the same networks called with plain ONNX Runtime Java), and {@code compare} (both
 * in one JVM, runs alternating, so that a load change on a shared machine hits both alike). Peak RSS
 * is per process, so take it from the single-mode runs. See {@code docs/benchmarks.md}.
 */
public final class OnnxBench {

  private OnnxBench() {}

  /** {@code pipeline|floor|compare [options]}; see {@link BenchSettings#USAGE}. */
  public static void main(String[] args) throws Exception {
    if (args.length == 0 || !List.of("pipeline", "floor", "compare").contains(args[0])) {
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
    List<BenchTarget> targets = new ArrayList<>();
    try {
      if (!args[0].equals("floor")) {
        targets.add(new PipelineBench(model, settings));
      }
      if (!args[0].equals("pipeline")) {
        targets.add(new FloorBench(model, settings));
      }
      measure(targets, settings);
    } finally {
      for (BenchTarget t : targets.reversed()) {
        t.close();
      }
      if (tmp != null) {
        deleteTree(tmp);
      }
    }
    System.out.printf("peak RSS (VmHWM) %.0f MiB, load average now %s%n", Stats.peakRssMiB(), Stats.loadAverage());
  }

  private static void measure(List<BenchTarget> targets, BenchSettings settings) {
    int n = settings.runs();
    double[][] wall = new double[targets.size()][n];
    double[][] outside = new double[targets.size()][n];
    double[][] unet = new double[targets.size()][n];
    double[][] cpu = new double[targets.size()][n];
    for (int i = -settings.warmup(); i < n; i++) {
      for (int k = 0; k < targets.size(); k++) {
        BenchTarget t = targets.get(k);
        long cpu0 = Stats.processCpuNanos();
        BenchTarget.Figures f = t.runOnce();
        long cpuNanos = Stats.processCpuNanos() - cpu0;
        System.out.printf("%s %s %s%n    process CPU time %s (%.2f cores busy on average), load average %s%n",
            t.label(), i < 0 ? "warm-up" : "run " + (i + 1), f.report(), Stats.s(cpuNanos),
            (double) cpuNanos / f.wallNanos(), Stats.loadAverage());
        if (i >= 0) {
          wall[k][i] = f.wallNanos();
          outside[k][i] = f.outsidePercent();
          unet[k][i] = f.unetNanosPerCall();
          cpu[k][i] = cpuNanos;
        }
      }
    }
    for (int k = 0; k < targets.size(); k++) {
      System.out.printf("%s summary over %d runs: wall min %s median %s | outside run min %.3f %% median %.3f %%"
              + " | UNet call min %s median %s | process CPU min %s median %s%n",
          targets.get(k).label(), n, Stats.s(Stats.min(wall[k])), Stats.s(Stats.median(wall[k])),
          Stats.min(outside[k]), Stats.median(outside[k]), Stats.s(Stats.min(unet[k])), Stats.s(Stats.median(unet[k])),
          Stats.s(Stats.min(cpu[k])), Stats.s(Stats.median(cpu[k])));
    }
    if (targets.size() == 2) {
      double[] ratio = new double[n];
      for (int i = 0; i < n; i++) {
        ratio[i] = wall[0][i] / wall[1][i];
      }
      System.out.printf("ldm4j / floor: min walls %.4f, median walls %.4f, per-pair ratios min %.4f median %.4f;"
              + " min CPU times %.4f%n",
          Stats.min(wall[0]) / Stats.min(wall[1]), Stats.median(wall[0]) / Stats.median(wall[1]), Stats.min(ratio),
          Stats.median(ratio), Stats.min(cpu[0]) / Stats.min(cpu[1]));
    }
  }

  private static void deleteTree(Path dir) throws IOException {
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
