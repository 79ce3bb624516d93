package io.github.ldm4j.app;

import io.github.ldm4j.app.bench.Bench;
import io.github.ldm4j.app.bench.BenchSettings;
import io.github.ldm4j.backend.onnx.OnnxBackendProvider;
import io.github.ldm4j.folder.ModelComponent;
import io.github.ldm4j.spi.BackendOptions;
import io.github.ldm4j.spi.Placement;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code ldm4j bench}: ldm4j's txt2img against a plain ONNX Runtime Java loop over the same networks
 * ({@link Bench}), interleaved in one process, with the same backend options on both sides.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
    description = {"Times ldm4j's txt2img against a plain ONNX Runtime Java loop on the same model (text encoder once "
        + "at batch 2, the UNet once per step at batch 2, the VAE decoder once), alternating in one process: open "
        + "time, seconds per step, end to end, process CPU, RSS and load average, and the ldm4j / floor ratios.",
        "Peak RSS is the process's: run --mode pipeline and --mode floor separately to compare it."})
final class BenchCommand implements Callable<Integer> {

  @Option(names = "--model", description = "ONNX model folder, checkpoint file (.safetensors, .ckpt; converted once "
      + "and cached) or the NAME of a checkpoint in the library (--models-dir). Default: the embedded demo model.")
  Path model;

  @Option(names = "--mode", defaultValue = "compare", description = "compare (default: both, alternating), pipeline "
      + "(ldm4j only) or floor (plain ONNX Runtime only).")
  String mode;

  @Option(names = "--size", paramLabel = "PX", description = "Image width and height (default: 512 for the demo model, "
      + "whose UNet is fixed at 512, else 256).")
  Integer size;

  @Option(names = "--steps", defaultValue = "10", description = "Sampler steps = UNet calls (default ${DEFAULT-VALUE}).")
  int steps;

  @Option(names = "--warmup", defaultValue = "1", description = "Unmeasured runs first (default ${DEFAULT-VALUE}).")
  int warmup;

  @Option(names = "--runs", defaultValue = "3", description = "Measured runs per side (default ${DEFAULT-VALUE}).")
  int runs;

  @Option(names = "--sampler", defaultValue = "euler", description = "Sampler of ldm4j's side (default ${DEFAULT-VALUE}).")
  String sampler;

  @Option(names = "--schedule", defaultValue = "normal", description = "Schedule of ldm4j's side (default ${DEFAULT-VALUE}).")
  String schedule;

  @Option(names = "--guidance", defaultValue = "7.5", description = "Guidance scale of ldm4j's side; > 1 runs the UNet "
      + "at batch 2 as the floor does (default ${DEFAULT-VALUE}).")
  double guidance;

  @Mixin BackendChoice backendChoice;

  @Mixin CheckpointOptions checkpointOptions;

  @Option(names = "--verbose", description = "Print stack traces on failure.")
  boolean verbose;

  @Override
  public Integer call() throws Exception {
    BenchSettings.Mode m;
    try {
      m = BenchSettings.Mode.valueOf(mode.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("--mode must be compare, pipeline or floor, got " + mode, e);
    }
    BackendOptions options = backendChoice.options();
    if (!backendChoice.backend().equals(OnnxBackendProvider.NAME)) {
      throw new IllegalArgumentException("bench compares against ONNX Runtime: --backend onnx only (its devices with "
          + "--device and --place)");
    }
    for (ModelComponent c : ModelComponent.values()) {
      Placement p = options.placementFor(c, OnnxBackendProvider.NAME);
      if (!p.backend().equals(OnnxBackendProvider.NAME)) {
        throw new IllegalArgumentException("bench runs every network on ONNX Runtime: --place " + c.folderName() + "="
            + p + " names another backend");
      }
    }
    BenchSettings settings = new BenchSettings(m, size != null ? size : model == null ? 512 : 256, steps, warmup,
        runs, sampler, schedule, guidance);
    Path checkpoint = model == null ? null : checkpointOptions.resolveModel(model);
    Path dir = checkpoint != null
        ? checkpointOptions.modelFolder(checkpoint, options.placementFor(ModelComponent.UNET, OnnxBackendProvider.NAME))
        : DemoModel.ensure();
    Bench.run(dir, settings, options, System.out);
    return 0;
  }
}
