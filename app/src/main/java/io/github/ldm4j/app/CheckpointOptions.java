package io.github.ldm4j.app;

import io.github.ldm4j.checkpoint.lora.AppliedLora;
import io.github.ldm4j.checkpoint.lora.LoraSet;
import io.github.ldm4j.checkpoint.sd.CheckpointFolders;
import io.github.ldm4j.checkpoint.sd.InferenceConfig;
import io.github.ldm4j.checkpoint.sd.SdCheckpoint;
import io.github.ldm4j.checkpoint.sd.SdFolderExport;
import io.github.ldm4j.export.folder.ExportFlavor;
import io.github.ldm4j.export.folder.Precision;
import io.github.ldm4j.export.onnx.WeightStorage;
import io.github.ldm4j.model.Parameterization;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import io.github.ldm4j.spi.Placement;
import java.util.Locale;
import java.util.Optional;
import picocli.CommandLine.Option;

/**
 * How a checkpoint file becomes a model folder ({@code --weights}, {@code --vae}, {@code
 * --prediction}, {@code --precision}, {@code --config}, {@code --lora}), shared by {@code convert}, {@code generate}, {@code inspect}
 * and {@code serve}.
 */
final class CheckpointOptions {

  @Option(names = "--weights", defaultValue = "model",
      description = "UNet weights of a checkpoint: model (default, as CompVis' v1-inference.yaml) or ema (its model_ema copy).")
  String weights = "model";

  @Option(names = "--vae", description = "A VAE file (.safetensors, .ckpt; keys with or without first_stage_model.) "
      + "replacing the checkpoint's VAE.")
  Path vae;

  @Option(names = "--prediction",
      description = "What the checkpoint's UNet predicts: eps (SD 1.x, SD 2.x 512-base), v (SD 2.x 768-v, v-prediction "
          + "fine-tunes) or x0. Default: the config's parameterization, else eps.")
  String prediction;

  @Option(names = "--config", description = "A CompVis inference config (.yaml) for what the checkpoint's tensors cannot "
      + "tell (num_heads / num_head_channels, parameterization, scale_factor; its conditioning_key, crossattn or hybrid, "
      + "must match the UNet's). Default: CHECKPOINT.yaml beside it, if any.")
  Path config;

  @Option(names = "--precision", defaultValue = "auto",
      description = "Weights and tensors of the converted networks: auto (default: fp16 when the UNet runs on a GPU — "
          + "onnx on cuda, tensorrt, directml or coreml, openvino on a GPU — else fp32), fp32 (runs on every CPU) or fp16.")
  String precision = "auto";

  @Option(names = "--lora", paramLabel = "FILE[:WEIGHT[:UNET_WEIGHT]]",
      description = "A LoRA merged into the checkpoint's weights (kohya / A1111 LoRA or LoCon, diffusers / PEFT; "
          + ".safetensors or .pt), at WEIGHT (default 1) for the text encoder and UNET_WEIGHT (default WEIGHT) for the "
          + "UNet, as A1111's <lora:name:te:unet>. Repeatable: several LoRAs stack. Checkpoints only.")
  java.util.List<String> lora = new java.util.ArrayList<>();

  /**
   * The {@code --lora} values.
   *
   * @throws IllegalArgumentException (a usage error) naming a malformed value
   */
  LoraSet loras() {
    java.util.List<AppliedLora> out = new java.util.ArrayList<>();
    for (String l : lora) {
      try {
        out.add(AppliedLora.parse(l));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("--lora " + e.getMessage(), e);
      }
    }
    return new LoraSet(out);
  }

  /** The inference config file: {@code --config}, else the {@code .yaml} beside {@code checkpoint}, if any. */
  Optional<Path> configFile(Path checkpoint) {
    return config != null ? Optional.of(config.toAbsolutePath().normalize()) : InferenceConfig.beside(checkpoint);
  }

  /**
   * What {@link #configFile} says, or {@link InferenceConfig#NONE} without one.
   *
   * @throws IOException naming the config when it cannot be read or is not a CompVis config
   */
  InferenceConfig inferenceConfig(Path checkpoint) throws IOException {
    return inferenceConfig(configFile(checkpoint));
  }

  /** What {@code file} (a {@link #configFile}) says, or {@link InferenceConfig#NONE} without one. */
  static InferenceConfig inferenceConfig(Optional<Path> file) throws IOException {
    return file.isPresent() ? InferenceConfig.read(file.get()) : InferenceConfig.NONE;
  }

  /**
   * What to convert for {@code checkpoint}: these options over its config ({@link #configFile}),
   * {@code imageSize} written into the configs.
   *
   * @throws IOException naming the config when it cannot be read
   * @throws IllegalArgumentException (a usage error) naming an option with an unknown value
   */
  CheckpointFolders.Request request(Path checkpoint, int imageSize) throws IOException {
    Optional<Path> configFile = configFile(checkpoint.toAbsolutePath().normalize());
    InferenceConfig inference = inferenceConfig(configFile);
    return new CheckpointFolders.Request(checkpoint, vaeFile(), configFile, inference, export(imageSize, inference));
  }

  /** Whether {@code model} names a checkpoint file rather than a model folder. */
  static boolean isCheckpoint(Path model) {
    return Files.isRegularFile(model);
  }

  /**
   * The model folder of {@code model}: itself when it is a folder, else the cached conversion of the
   * checkpoint with these options ({@link CheckpointFolders#cached}, written now if missing).
   *
   * @throws IOException naming the checkpoint when it cannot be read or is not a supported model
   */
  Path modelFolder(Path model, Placement unet) throws IOException {
    gpu = onGpu(unet);
    return isCheckpoint(model) ? CheckpointFolders.cached(request(model, 512)) : model;
  }

  /** Whether the UNet placed at {@code unet} runs on a GPU, where {@code --precision auto} means fp16. */
  static boolean onGpu(Placement unet) {
    String d = unet.device().toLowerCase(Locale.ROOT);
    return switch (unet.backend().toLowerCase(Locale.ROOT)) {
      case "onnx" -> d.startsWith("cuda") || d.startsWith("tensorrt") || d.startsWith("directml") || d.startsWith("coreml");
      case "openvino" -> d.contains("gpu");
      default -> false;
    };
  }

  /** Set by {@link #modelFolder} from the UNet's placement; {@code convert} knows no device and keeps fp32. */
  private boolean gpu;

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
    return export(imageSize, InferenceConfig.NONE);
  }

  /**
   * The export options these values stand for, with {@code config}'s parameterization and scale
   * factor where no option overrides them.
   *
   * @throws IllegalArgumentException (a usage error) naming the option with an unknown value
   */
  SdFolderExport export(int imageSize, InferenceConfig config) {
    Precision p = switch (precision.toLowerCase(Locale.ROOT)) {
      case "auto" -> gpu ? Precision.FP16 : Precision.FP32;
      case "fp32" -> Precision.FP32;
      case "fp16" -> Precision.FP16;
      default -> throw new IllegalArgumentException("--precision must be auto, fp32 or fp16, got " + precision);
    };
    SdCheckpoint.UNetWeights w = switch (weights.toLowerCase(Locale.ROOT)) {
      case "model" -> SdCheckpoint.UNetWeights.MODEL;
      case "ema" -> SdCheckpoint.UNetWeights.EMA;
      default -> throw new IllegalArgumentException("--weights must be model or ema, got " + weights);
    };
    Parameterization pred;
    try {
      pred = prediction == null ? config.parameterization().orElse(Parameterization.EPS)
          : Parameterization.fromName(prediction);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("--prediction: " + e.getMessage(), e);
    }
    return new SdFolderExport(ExportFlavor.OPTIMUM, p, WeightStorage.AUTO, w, imageSize, pred,
        config.scaleFactor().orElse(SdFolderExport.SD1_SCALING_FACTOR), loras());
  }
}
