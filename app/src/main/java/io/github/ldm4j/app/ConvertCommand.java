package io.github.ldm4j.app;

import io.github.ldm4j.checkpoint.sd.SdCheckpoint;
import io.github.ldm4j.checkpoint.sd.SdFolderExport;
import io.github.ldm4j.export.folder.ExportFlavor;
import io.github.ldm4j.export.folder.Precision;
import io.github.ldm4j.export.onnx.WeightStorage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code ldm4j convert CHECKPOINT --output DIR}: a single-file checkpoint as an ONNX model folder. */
@Command(name = "convert", mixinStandardHelpOptions = true,
    description = "Writes a Stable Diffusion 1.x checkpoint (.safetensors, .ckpt, .pt; CompVis layout) as a "
        + "diffusers/optimum ONNX model folder that --model DIR and other ONNX tools open.")
final class ConvertCommand implements Callable<Integer> {

  @Parameters(index = "0", paramLabel = "CHECKPOINT", description = "The checkpoint file.")
  Path checkpoint;

  @Option(names = "--output", required = true, description = "Folder to write (must not exist or be empty).")
  Path output;

  @Option(names = "--precision", defaultValue = "fp32",
      description = "Weights and tensors of the ONNX networks: fp32 (default; runs on every CPU) or fp16.")
  String precision;

  @Option(names = "--weights", defaultValue = "model",
      description = "UNet weights: model (default, as CompVis' v1-inference.yaml) or ema (the model_ema copy).")
  String weights;

  @Option(names = "--image-size", defaultValue = "512", description = "sample_size written into the configs (default 512).")
  int imageSize;

  @Option(names = "--verbose", description = "Print stack traces on failure.")
  boolean verbose;

  @Override
  public Integer call() throws Exception {
    if (!Files.isRegularFile(checkpoint)) {
      throw new IllegalArgumentException(checkpoint + " is not a checkpoint file");
    }
    if (Files.exists(output)) {
      try (var s = Files.list(output)) {
        if (s.findAny().isPresent()) {
          throw new IllegalArgumentException("--output " + output + " exists and is not empty");
        }
      }
    }
    Path written = CheckpointModels.convert(checkpoint, output, export(precision, weights, imageSize));
    System.out.println(written.toAbsolutePath());
    return 0;
  }

  /**
   * The export options of the command-line values.
   *
   * @throws IllegalArgumentException (a usage error) for an unknown precision or weights choice
   */
  static SdFolderExport export(String precision, String weights, int imageSize) {
    Precision p = switch (precision.toLowerCase(Locale.ROOT)) {
      case "fp32" -> Precision.FP32;
      case "fp16" -> Precision.FP16;
      default -> throw new IllegalArgumentException("--precision must be fp32 or fp16, got " + precision);
    };
    SdCheckpoint.UNetWeights w = switch (weights.toLowerCase(Locale.ROOT)) {
      case "model" -> SdCheckpoint.UNetWeights.MODEL;
      case "ema" -> SdCheckpoint.UNetWeights.EMA;
      default -> throw new IllegalArgumentException("--weights must be model or ema, got " + weights);
    };
    return new SdFolderExport(ExportFlavor.OPTIMUM, p, WeightStorage.AUTO, w, imageSize);
  }
}
