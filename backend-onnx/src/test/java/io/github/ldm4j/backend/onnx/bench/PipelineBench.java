package io.github.ldm4j.backend.onnx.bench;

import io.github.ldm4j.folder.ModelComponent;
import io.github.ldm4j.generate.GenerationLimits;
import io.github.ldm4j.generate.GenerationRequest;
import io.github.ldm4j.generate.GenerationResult;
import io.github.ldm4j.generate.GenerationSettings;
import io.github.ldm4j.generate.Generator;
import io.github.ldm4j.random.RngKind;
import java.nio.file.Path;

/**
 * ldm4j's whole txt2img generation ({@link Generator#generate}) timed three ways: the wall time,
 * the time inside network calls (timing decorators around the UNet, text encoder and VAE), and
 * the time inside ONNX Runtime's {@code OrtSession.run} (JFR method trace). The pipeline overhead
 * is the wall time outside {@code run}; the adapter share is the network-call time outside
 * {@code run} (tensor wrapping, output allocation, float16 conversion where needed).
 */
final class PipelineBench {

  /** The prompt of every run; its content does not change the cost (77 tokens are always encoded). */
  static final String PROMPT = "a photograph of an astronaut riding a horse";

  private PipelineBench() {}

  static void run(Path model, BenchSettings settings) throws Exception {
    CallTimes times = new CallTimes();
    long t0 = System.nanoTime();
    try (Generator generator = new Generator(TimedModel.open(model, settings.onnxOptions(), times),
        GenerationLimits.DEFAULTS); OrtRunTrace trace = new OrtRunTrace()) {
      System.out.printf("pipeline: %s, %d×%d, %d steps, %s/%s, guidance %.1f; opened in %s, RSS %.0f MiB%n",
          model, settings.size(), settings.size(), settings.steps(), settings.sampler(), settings.schedule(),
          settings.guidance(), Stats.s(System.nanoTime() - t0), Stats.rssMiB());
      GenerationSettings s = GenerationSettings.DEFAULTS
          .withSize(settings.size(), settings.size())
          .withSteps(settings.steps())
          .withSampler(settings.sampler(), settings.schedule())
          .withGuidance(settings.guidance(), 0)
          .withSeed(42, RngKind.TORCH);
      GenerationRequest request = new GenerationRequest.TextToImage(PROMPT, "", s);
      double[] wall = new double[settings.runs()];
      double[] outsideShare = new double[settings.runs()];
      double[] unetPerCall = new double[settings.runs()];
      for (int i = -settings.warmup(); i < settings.runs(); i++) {
        times.reset();
        trace.start();
        long start = System.nanoTime();
        GenerationResult result = generator.generate(request);
        long w = System.nanoTime() - start;
        OrtRunTrace.Result ort = trace.stop();
        if (result.images().size() != 1) {
          throw new IllegalStateException("expected one image, got " + result.images().size());
        }
        long net = times.totalNanos();
        long unetCalls = times.calls(ModelComponent.UNET);
        double unetCall = unetCalls == 0 ? 0 : (double) times.nanos(ModelComponent.UNET) / unetCalls;
        long before = times.firstStart() - start;
        long between = times.lastEnd() - times.firstStart() - net;
        long after = start + w - times.lastEnd();
        System.out.printf(
            "%s wall %s | in OrtSession.run %s (%d calls) | outside run %s = %.3f %%: before the first network call"
                + " %s, between calls %s, after the last %s, adapter (in network calls, outside run) %s%n"
                + "    text encoder %s ×%d, UNet %s ×%d (%.3f s/call), VAE decoder %s ×%d%n",
            i < 0 ? "warm-up" : "run " + (i + 1), Stats.s(w), Stats.s(ort.nanos()), ort.calls(),
            Stats.s(w - ort.nanos()), 100.0 * (w - ort.nanos()) / w, Stats.s(before), Stats.s(between),
            Stats.s(after), Stats.s(net - ort.nanos()),
            Stats.s(times.nanos(ModelComponent.TEXT_ENCODER)), times.calls(ModelComponent.TEXT_ENCODER),
            Stats.s(times.nanos(ModelComponent.UNET)), unetCalls, unetCall / 1e9,
            Stats.s(times.nanos(ModelComponent.VAE_DECODER)), times.calls(ModelComponent.VAE_DECODER));
        if (i >= 0) {
          wall[i] = w;
          outsideShare[i] = 100.0 * (w - ort.nanos()) / w;
          unetPerCall[i] = unetCall;
        }
      }
      System.out.printf("summary: wall min %s median %s | outside run min %.3f %% median %.3f %%"
              + " | UNet call (guided step) min %s median %s%n",
          Stats.s(Stats.min(wall)), Stats.s(Stats.median(wall)), Stats.min(outsideShare), Stats.median(outsideShare),
          Stats.s(Stats.min(unetPerCall)), Stats.s(Stats.median(unetPerCall)));
    }
  }
}
