package io.github.ldm4j.app.bench;

import io.github.ldm4j.spi.BackendOptions;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The benchmark behind {@code ldm4j bench}: ldm4j's generator ({@link PipelineBench}) and the floor
 * ({@link FloorBench}: the same networks called with plain ONNX Runtime Java), each opened with the
 * same {@link BackendOptions}, run alternately in one process so that a load change on a shared
 * machine hits both alike. Prints per-run figures (wall, time inside {@code OrtSession.run}, per
 * network, process CPU, RSS, load average) and a summary table: open time, seconds per UNet step,
 * end-to-end time, the ldm4j / floor ratios and peak RSS. Peak RSS is the process's, so take
 * ldm4j's alone from a {@code pipeline} run and the floor's from a {@code floor} run.
 */
public final class Bench {

  private Bench() {}

  /** The row labels of the summary table, in order. */
  public static final List<String> ROWS = List.of("open sessions", "s/step (UNet call)", "end to end", "process CPU");

  /**
   * Runs the bench on the ONNX model folder {@code model}, printing to {@code out}.
   *
   * @throws Exception when the model cannot be opened or a run fails
   */
  public static void run(Path model, BenchSettings settings, BackendOptions options, PrintStream out) throws Exception {
    out.printf("JDK %s, ONNX Runtime %s, %d CPUs, load average %s, options %s%n",
        Runtime.version(), io.github.ldm4j.backend.onnx.internal.OrtRuntime.environment().getVersion(), Runtime.getRuntime().availableProcessors(),
        Stats.loadAverage(), options);
    List<BenchTarget> targets = new ArrayList<>();
    try {
      if (settings.mode() != BenchSettings.Mode.FLOOR) {
        targets.add(new PipelineBench(model, settings, options, out));
      }
      if (settings.mode() != BenchSettings.Mode.PIPELINE) {
        targets.add(new FloorBench(model, settings, options, out));
      }
      measure(targets, settings, out);
    } finally {
      for (BenchTarget t : targets.reversed()) {
        t.close();
      }
    }
    out.printf("peak RSS (VmHWM) %.0f MiB, load average now %s%n", Stats.peakRssMiB(), Stats.loadAverage());
  }

  private static void measure(List<BenchTarget> targets, BenchSettings settings, PrintStream out) {
    int n = settings.runs();
    int k0 = targets.size();
    double[][] wall = new double[k0][n];
    double[][] unet = new double[k0][n];
    double[][] cpu = new double[k0][n];
    double[][] outside = new double[k0][n];
    for (int i = -settings.warmup(); i < n; i++) {
      for (int k = 0; k < k0; k++) {
        BenchTarget t = targets.get(k);
        long cpu0 = Stats.processCpuNanos();
        BenchTarget.Figures f = t.runOnce();
        long cpuNanos = Stats.processCpuNanos() - cpu0;
        out.printf("%s %s %s%n    process CPU time %s (%.2f cores busy on average), RSS %.0f MiB, peak RSS %.0f MiB,"
                + " load average %s%n",
            t.label(), i < 0 ? "warm-up" : "run " + (i + 1), f.report(), Stats.s(cpuNanos),
            (double) cpuNanos / f.wallNanos(), Stats.rssMiB(), Stats.peakRssMiB(), Stats.loadAverage());
        if (i >= 0) {
          wall[k][i] = f.wallNanos();
          outside[k][i] = f.outsidePercent();
          unet[k][i] = f.unetNanosPerCall();
          cpu[k][i] = cpuNanos;
        }
      }
    }
    out.println();
    StringBuilder head = new StringBuilder("| median of " + n + " (min) |");
    StringBuilder rule = new StringBuilder("|---|");
    for (BenchTarget t : targets) {
      head.append(' ').append(t.label()).append(" |");
      rule.append("---|");
    }
    if (k0 == 2) {
      head.append(" ldm4j / floor |");
      rule.append("---|");
    }
    out.println(head);
    out.println(rule);
    double[][] open = new double[k0][1];
    for (int k = 0; k < k0; k++) {
      open[k][0] = targets.get(k).openNanos();
    }
    row(out, ROWS.get(0), open, k0);
    row(out, ROWS.get(1), unet, k0);
    row(out, ROWS.get(2), wall, k0);
    row(out, ROWS.get(3), cpu, k0);
    for (int k = 0; k < k0; k++) {
      out.printf("%s: time outside OrtSession.run min %.3f %% median %.3f %%%n", targets.get(k).label(),
          Stats.min(outside[k]), Stats.median(outside[k]));
    }
  }

  private static void row(PrintStream out, String label, double[][] values, int targets) {
    StringBuilder b = new StringBuilder("| ").append(label).append(" |");
    for (int k = 0; k < targets; k++) {
      b.append(' ').append(cell(values[k])).append(" |");
    }
    if (targets == 2) {
      b.append(String.format(" %.3f (%.3f) |", Stats.median(values[0]) / Stats.median(values[1]),
          Stats.min(values[0]) / Stats.min(values[1])));
    }
    out.println(b);
  }

  private static String cell(double[] nanos) {
    return nanos.length == 1 ? String.format("%.3f s", nanos[0] / 1e9)
        : String.format("%.3f s (%.3f s)", Stats.median(nanos) / 1e9, Stats.min(nanos) / 1e9);
  }
}
