package io.github.ldm4j.app;

import io.github.ldm4j.checkpoint.sd.SdCheckpoint;
import io.github.ldm4j.checkpoint.sd.SdFolderExport;
import io.github.ldm4j.export.folder.ExportFlavor;
import io.github.ldm4j.export.folder.Precision;
import io.github.ldm4j.export.onnx.WeightStorage;
import io.github.ldm4j.model.Parameterization;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;
import picocli.CommandLine.Option;

/**
 * How a checkpoint file becomes a model folder ({@code --weights}, {@code --vae}, {@code
 * --prediction}, {@code --precision}), shared by {@code convert}, {@code generate}, {@code inspect}
 * and {@code serve}.
 */
final class CheckpointOptions {

  @Option(names = "--weights", defaultValue = "model",
      description = "UNet weights of a checkpoint: model (default, as CompVis' v1-inference.yaml) or ema (its model_ema copy).")
  String weights = "model";

  @Option(names = "--vae", description = "A VAE file (.safetensors, .ckpt; keys with or without first_stage_model.) "
      + "replacing the checkpoint's VAE.")
  Path vae;

  @Option(names = "--prediction", defaultValue = "eps",
      description = "What the checkpoint's UNet predicts: eps (default; SD 1.x, SD 2.x 512-base) or v (SD 2.x 768-v, v-prediction fine-tunes).")
  String prediction = "eps";

  @Option(names = "--precision", defaultValue = "fp32",
      description = "Weights and tensors of the converted networks: fp32 (default; runs on every CPU) or fp16.")
  String precision = "fp32";

  /** The VAE file, if one is given. */
  Optional<Path> vaeFile() {
    return Optional.ofNullable(vae);
  }

  /**
   * The export options these values stand for, {@code imageSize} written into the configs.
   *
   * @throws IllegalArgumentException (a usage error) naming the option with an unknown value
   */
  SdFolderExport export(int imageSize) {
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
    Parameterization pred = switch (prediction.toLowerCase(Locale.ROOT)) {
      case "eps" -> Parameterization.EPS;
      case "v" -> Parameterization.V;
      default -> throw new IllegalArgumentException("--prediction must be eps or v, got " + prediction);
    };
    return new SdFolderExport(ExportFlavor.OPTIMUM, p, WeightStorage.AUTO, w, imageSize, pred);
  }
}
