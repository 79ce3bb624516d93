package io.github.ldm4j.backend.onnx.bench;

import io.github.ldm4j.backend.onnx.OnnxOptions;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Command-line settings of {@link OnnxBench}.
 *
 * @param model the model folder; empty to generate the testkit tiny SD into a temporary folder
 * @param size image width and height in pixels
 * @param steps sampler steps (UNet calls for the floor)
 * @param warmup unmeasured runs first
 * @param runs measured runs
 * @param threads ONNX Runtime intra-op threads (0 = its default)
 * @param sampler sampler name for the pipeline
 * @param schedule schedule name for the pipeline
 * @param guidance classifier-free guidance scale (> 1: the UNet runs at batch 2)
 */
record BenchSettings(Optional<Path> model, int size, int steps, int warmup, int runs, int threads, String sampler,
    String schedule, double guidance) {

  static final String USAGE = """
      usage: OnnxBench pipeline|floor|compare [--model DIR | --tiny] [--size PX] [--steps N] [--warmup N] [--runs N]
                       [--threads N] [--sampler NAME] [--schedule NAME] [--guidance S]
        pipeline  ldm4j Generator txt2img, time inside ONNX Runtime run calls traced with JFR
        floor     plain ONNX Runtime Java: text encoder once, UNet N times, VAE decoder once
        compare   both in one JVM, runs alternating (ldm4j, floor, ldm4j, ...)
        defaults: --tiny --size 512 --steps 20 --warmup 1 --runs 3 --threads 0 --sampler euler
                  --schedule normal --guidance 7.5""";

  BenchSettings {
    if (size < 8 || size % 8 != 0) {
      throw new IllegalArgumentException("--size must be a positive multiple of 8, got " + size);
    }
    if (steps < 1 || warmup < 0 || runs < 1 || threads < 0) {
      throw new IllegalArgumentException(
          "need --steps >= 1, --warmup >= 0, --runs >= 1, --threads >= 0; got " + steps + ", " + warmup + ", " + runs
              + ", " + threads);
    }
  }

  /** Parses {@code args} (after the mode). */
  static BenchSettings parse(String[] args, int from) {
    Optional<Path> model = Optional.empty();
    int size = 512;
    int steps = 20;
    int warmup = 1;
    int runs = 3;
    int threads = 0;
    String sampler = "euler";
    String schedule = "normal";
    double guidance = 7.5;
    for (int i = from; i < args.length; i++) {
      String a = args[i];
      if (a.equals("--tiny")) {
        model = Optional.empty();
        continue;
      }
      if (i + 1 >= args.length) {
        throw new IllegalArgumentException("missing value after " + a + "\n" + USAGE);
      }
      String v = args[++i];
      switch (a) {
        case "--model" -> model = Optional.of(Path.of(v));
        case "--size" -> size = Integer.parseInt(v);
        case "--steps" -> steps = Integer.parseInt(v);
        case "--warmup" -> warmup = Integer.parseInt(v);
        case "--runs" -> runs = Integer.parseInt(v);
        case "--threads" -> threads = Integer.parseInt(v);
        case "--sampler" -> sampler = v;
        case "--schedule" -> schedule = v;
        case "--guidance" -> guidance = Double.parseDouble(v);
        default -> throw new IllegalArgumentException("unknown option " + a + "\n" + USAGE);
      }
    }
    return new BenchSettings(model, size, steps, warmup, runs, threads, sampler, schedule, guidance);
  }

  /** The backend options both modes use: ldm4j's defaults, with the thread count when given. */
  OnnxOptions onnxOptions() {
    return threads > 0 ? OnnxOptions.DEFAULTS.withIntraOpThreads(threads) : OnnxOptions.DEFAULTS;
  }

  /** The latent side (the SD VAE downsamples by 8). */
  int latentSize() {
    return size / 8;
  }
}
