package io.github.ldm4j.app.bench;

import io.github.ldm4j.folder.ModelComponent;
import io.github.ldm4j.generate.GenerationLimits;
import io.github.ldm4j.generate.GenerationRequest;
import io.github.ldm4j.generate.GenerationResult;
import io.github.ldm4j.generate.GenerationSettings;
import io.github.ldm4j.generate.Generator;
import io.github.ldm4j.random.RngKind;
import java.io.IOException;
import java.nio.file.Path;

/**
 * ldm4j's whole txt2img generation ({@link Generator#generate}) timed three ways: the wall time,
 * the time inside network calls (timing decorators around the UNet, text encoder and VAE), and
 * the time inside ONNX Runtime's {@code OrtSession.run} (JFR method trace). The pipeline overhead
 * is the wall time outside {@code run}, split into before the first network call (planning, RNG,
 * tokenization), between calls (sampler, guidance), after the last (image conversion) and the
 * adapter (inside network calls but outside {@code run}: tensor wrapping, output allocation).
 */
final class PipelineBench implements BenchTarget {

  private final long openNanos;

  /** The prompt of every run; its content does not change the cost (77 tokens are always encoded). */
  static final String PROMPT = "a photograph of an astronaut riding a horse";

  private final CallTimes times = new CallTimes();
  private final OrtRunTrace trace = new OrtRunTrace();
  private final Generator generator;
  private final GenerationRequest request;

  PipelineBench(Path model, BenchSettings settings, io.github.ldm4j.spi.BackendOptions options,
      java.io.PrintStream out) throws IOException {
    long t0 = System.nanoTime();
    this.generator = TimedModel.open(model, options, times, GenerationLimits.DEFAULTS);
    this.openNanos = System.nanoTime() - t0;
    GenerationSettings s = GenerationSettings.builder()
        .size(settings.size(), settings.size())
        .steps(settings.steps())
        .sampler(settings.sampler(), settings.schedule())
        .guidance(settings.guidance(), 0)
        .seed(42, RngKind.TORCH)
        .build();
    this.request = new GenerationRequest.TextToImage(PROMPT, "", s);
    out.printf("ldm4j: %s, %d×%d, %d steps, %s/%s, guidance %.1f; opened in %s, RSS %.0f MiB%n",
        model, settings.size(), settings.size(), settings.steps(), settings.sampler(), settings.schedule(),
        settings.guidance(), Stats.s(openNanos), Stats.rssMiB());
  }

  @Override
  public long openNanos() {
    return openNanos;
  }

  @Override
  public String label() {
    return "ldm4j";
  }

  @Override
  public Figures runOnce() {
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
    String report = String.format(
        "wall %s | in OrtSession.run %s (%d calls) | outside run %s = %.3f %%: before the first network call %s,"
            + " between calls %s, after the last %s, adapter (in network calls, outside run) %s%n"
            + "    text encoder %s ×%d, UNet %s ×%d (%.3f s/call), VAE decoder %s ×%d",
        Stats.s(w), Stats.s(ort.nanos()), ort.calls(), Stats.s(w - ort.nanos()), 100.0 * (w - ort.nanos()) / w,
        Stats.s(before), Stats.s(between), Stats.s(after), Stats.s(net - ort.nanos()),
        Stats.s(times.nanos(ModelComponent.TEXT_ENCODER)), times.calls(ModelComponent.TEXT_ENCODER),
        Stats.s(times.nanos(ModelComponent.UNET)), unetCalls, unetCall / 1e9,
        Stats.s(times.nanos(ModelComponent.VAE_DECODER)), times.calls(ModelComponent.VAE_DECODER));
    return new Figures(w, ort.nanos(), ort.calls(), unetCall, report);
  }

  @Override
  public void close() {
    try (trace) {
      generator.close();
    }
  }
}
