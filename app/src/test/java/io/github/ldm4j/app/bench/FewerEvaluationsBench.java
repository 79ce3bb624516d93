package io.github.ldm4j.app.bench;

import io.github.ldm4j.spi.BackendOptions;
import io.github.ldm4j.demo.ShapesModel;
import io.github.ldm4j.demo.ShapesOptions;
import io.github.ldm4j.folder.ModelComponent;
import io.github.ldm4j.generate.GenerationLimits;
import io.github.ldm4j.generate.GenerationRequest;
import io.github.ldm4j.generate.GenerationSettings;
import io.github.ldm4j.generate.Generator;
import io.github.ldm4j.image.RgbImage;
import io.github.ldm4j.random.RngKind;
import io.github.ldm4j.sampler.StepPlan;
import io.github.ldm4j.samplers.StepSchedulers;
import io.github.ldm4j.schedule.DiffusionSchedule;
import io.github.ldm4j.testkit.sd.SdModel;
import io.github.ldm4j.testkit.sd.SdOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * Issue #18 lever 4, fewer UNet evaluations for the same picture, measured on one model: (A) the CFG
 * cut-off at several σ<sub>min</sub> against the full run (PSNR, UNet rows, UNet and wall time);
 * (B) 10 steps on {@code align_your_steps} against Karras and normal σ, each as PSNR to a 50-step
 * Karras reference of the same sampler; (C) {@code lcm} at 4, 6 and 8 steps (guidance 1, as LCM runs)
 * against Euler 20 steps at guidance 7.5 — time only: random weights are no LCM-distilled UNet.
 * Times in (A) and (C) are the fastest of three runs.
 *
 * <pre>
 * java ... FewerEvaluationsBench demo|tiny|PATH [size] [threads]
 * </pre>
 */
public final class FewerEvaluationsBench {

  private static final String PROMPT = "a photograph of an astronaut riding a horse";
  private static final String NEGATIVE = "blurry, low quality";

  private final Generator generator;
  private final CallTimes times;
  private final int size;

  private FewerEvaluationsBench(Generator generator, CallTimes times, int size) {
    this.generator = generator;
    this.times = times;
    this.size = size;
  }

  /** One timed run. */
  record Run(RgbImage image, double wallS, double unetS, long unetCalls) {}

  /** The fastest of {@value #REPEATS} runs (the image is the same each time). */
  Run best(GenerationSettings s) {
    Run best = null;
    for (int i = 0; i < REPEATS; i++) {
      Run r = run(s);
      best = best == null || r.wallS() < best.wallS() ? r : best;
    }
    return best;
  }

  private static final int REPEATS = 3;

  Run run(GenerationSettings s) {
    times.reset();
    long t0 = System.nanoTime();
    RgbImage img = generator.generate(new GenerationRequest.TextToImage(PROMPT, NEGATIVE, s)).images().getFirst().image();
    double wall = (System.nanoTime() - t0) / 1e9;
    return new Run(img, wall, times.nanos(ModelComponent.UNET) / 1e9, times.calls(ModelComponent.UNET));
  }

  GenerationSettings settings(String sampler, String schedule, int steps, double guidance) {
    return GenerationSettings.builder().size(size, size).steps(steps).sampler(sampler, schedule).guidance(guidance)
        .seed(42, RngKind.TORCH).build();
  }

  static double psnr(RgbImage a, RgbImage b) {
    byte[] x = a.rgb();
    byte[] y = b.rgb();
    double se = 0;
    for (int i = 0; i < x.length; i++) {
      double d = (x[i] & 0xff) - (y[i] & 0xff);
      se += d * d;
    }
    return se == 0 ? Double.POSITIVE_INFINITY : 10 * Math.log10(255.0 * 255.0 / (se / x.length));
  }

  /** UNet rows of a guided Euler run (batch 1): 2 per step, 1 where σ < σ_min. */
  static int rows(double[] sigmas, double sigmaMin) {
    int rows = 0;
    for (int i = 0; i < sigmas.length - 1; i++) {
      rows += sigmaMin > 0 && sigmas[i] < sigmaMin ? 1 : 2;
    }
    return rows;
  }

  public static void main(String[] args) throws IOException {
    String which = args.length > 0 ? args[0] : "tiny";
    int size = args.length > 1 ? Integer.parseInt(args[1]) : 64;
    int threads = args.length > 2 ? Integer.parseInt(args[2]) : 0;
    Path tmp = null;
    Path model;
    switch (which) {
      case "demo" -> {
        tmp = Files.createTempDirectory("ldm4j-l4-demo");
        ShapesModel.write(tmp, ShapesOptions.defaults().withImageSize(size));
        model = tmp;
      }
      case "tiny" -> {
        tmp = Files.createTempDirectory("ldm4j-l4-tiny");
        model = SdModel.write(tmp, SdOptions.tiny()).root();
      }
      default -> model = Path.of(which);
    }
    BackendOptions options = threads > 0 ? BackendOptions.DEFAULTS.withThreads(threads, BackendOptions.DEFAULTS.interOpThreads()) : BackendOptions.DEFAULTS;
    CallTimes times = new CallTimes();
    try (Generator g = TimedModel.open(model, options, times, GenerationLimits.DEFAULTS)) {
      FewerEvaluationsBench b = new FewerEvaluationsBench(g, times, size);
      System.out.printf(Locale.ROOT, "model %s, %d×%d, seed 42, load average %s%n", which, size, size, load());
      b.run(b.settings("euler", "karras", 4, 7.5)); // warm-up
      b.cutoff();
      b.ays();
      b.lcm();
      System.out.printf(Locale.ROOT, "load average at the end %s%n", load());
    } finally {
      if (tmp != null) {
        try (Stream<Path> w = Files.walk(tmp)) {
          w.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
      }
    }
  }

  private void cutoff() {
    int steps = 20;
    double[] sigmas = ((StepPlan.Sigmas) StepSchedulers.create("karras")
        .plan(DiffusionSchedule.stableDiffusionV1(), steps, StepPlan.Kind.SIGMAS)).values();
    System.out.println("\n(A) CFG cut-off, euler / karras, 20 steps, guidance 7.5");
    System.out.println("| σ_min | steps below | UNet rows | UNet calls | UNet s | wall s | PSNR vs full (dB) |");
    System.out.println("|---|---|---|---|---|---|---|");
    GenerationSettings base = settings("euler", "karras", steps, 7.5);
    Run full = best(base);
    for (double sMin : new double[] {0, 0.5, 1, 2, 5}) {
      Run r = sMin == 0 ? full : best(base.toBuilder().guidanceCutoff(sMin).build());
      int below = 0;
      for (int i = 0; i < steps; i++) {
        below += sMin > 0 && sigmas[i] < sMin ? 1 : 0;
      }
      System.out.printf(Locale.ROOT, "| %s | %d | %d | %d | %.2f | %.2f | %s |%n", sMin == 0 ? "0 (off)" : fmt(sMin), below,
          rows(sigmas, sMin), r.unetCalls(), r.unetS(), r.wallS(), sMin == 0 ? "—" : fmtDb(psnr(r.image(), full.image())));
    }
  }

  private void ays() {
    System.out.println("\n(B) 10 steps by schedule, PSNR to the 50-step karras run of the same sampler (guidance 7.5)");
    System.out.println("| sampler | karras | normal | align_your_steps |");
    System.out.println("|---|---|---|---|");
    for (String sampler : new String[] {"euler", "dpmpp_2m"}) {
      Run ref = run(settings(sampler, "karras", 50, 7.5));
      StringBuilder row = new StringBuilder("| " + sampler + " |");
      for (String schedule : new String[] {"karras", "normal", "align_your_steps"}) {
        Run r = run(settings(sampler, schedule, 10, 7.5));
        row.append(' ').append(fmtDb(psnr(r.image(), ref.image()))).append(" |");
      }
      System.out.println(row);
    }
  }

  private void lcm() {
    System.out.println("\n(C) lcm (lcm schedule, guidance 1: one UNet row per step) vs euler/karras 20 steps at guidance 7.5");
    System.out.println("| run | UNet calls | UNet s | wall s |");
    System.out.println("|---|---|---|---|");
    Run base = best(settings("euler", "karras", 20, 7.5));
    System.out.printf(Locale.ROOT, "| euler 20, guidance 7.5 | %d | %.2f | %.2f |%n", base.unetCalls(), base.unetS(), base.wallS());
    for (int steps : new int[] {4, 6, 8}) {
      Run r = best(settings("lcm", "lcm", steps, 1));
      System.out.printf(Locale.ROOT, "| lcm %d, guidance 1 | %d | %.2f | %.2f |%n", steps, r.unetCalls(), r.unetS(), r.wallS());
    }
  }

  private static String fmt(double v) {
    return v == Math.rint(v) ? String.valueOf((long) v) : String.valueOf(v);
  }

  private static String fmtDb(double db) {
    return Double.isInfinite(db) ? "∞ (identical)" : String.format(Locale.ROOT, "%.1f", db);
  }

  private static String load() {
    try {
      return Files.readString(Path.of("/proc/loadavg")).trim();
    } catch (IOException e) {
      return "?";
    }
  }
}
