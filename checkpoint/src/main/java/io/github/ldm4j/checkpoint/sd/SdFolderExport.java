package io.github.ldm4j.checkpoint.sd;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.ldm4j.checkpoint.CheckpointFormatException;
import io.github.ldm4j.checkpoint.lora.LoraSet;
import java.io.IOException;
import io.github.ldm4j.export.folder.Component;
import io.github.ldm4j.export.folder.ExportFlavor;
import io.github.ldm4j.export.folder.FolderSpec;
import io.github.ldm4j.export.folder.FolderWriter;
import io.github.ldm4j.export.folder.GeneratedFolder;
import io.github.ldm4j.export.folder.PipelineVariant;
import io.github.ldm4j.export.folder.Precision;
import io.github.ldm4j.export.onnx.OnnxGraph;
import io.github.ldm4j.export.onnx.WeightStorage;
import io.github.ldm4j.folder.ModelComponent;
import io.github.ldm4j.export.onnx.WriteProgress;
import io.github.ldm4j.export.sd.SdArchitecture;
import io.github.ldm4j.export.sd.SdConfigs;
import io.github.ldm4j.export.sd.SdGraphs;
import io.github.ldm4j.export.sd.Weights;
import io.github.ldm4j.model.Parameterization;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Writes an SD 1.x or 2.x checkpoint as a diffusers / optimum ONNX model folder that every ldm4j backend
 * (and other ONNX tools) open: the four networks built by {@link SdGraphs} with the checkpoint's
 * weights, their {@code config.json}s, the CLIP tokenizer files, SD v1's scheduler config and
 * {@code model_index.json}. Weights are read from the mapped checkpoint while each network is
 * written (chunk by chunk; external data above 2 GB with {@link WeightStorage#AUTO}), so writing
 * does not hold the model in the heap.
 *
 * @param flavor the export contract (optimum: int64 ids, float timestep scalar, VAE moments)
 * @param precision float32, or float16 weights and tensors
 * @param storage inline weights or external data
 * @param unetWeights the trained UNet weights or their EMA copy
 * @param imageSize the image size written into the configs' {@code sample_size} (512 for SD 1.x)
 * @param prediction what the UNet predicts, written into the scheduler config ({@code eps} for SD 1.x;
 *     a checkpoint's tensors cannot tell, so fine-tunes trained for {@code v} say so here)
 * @param scaleFactor the latent scale factor written into the VAE configs (0.18215 for SD 1.x and 2.x)
 * @param loras LoRAs merged into the weights as they are written ({@link LoraSet#NONE} for none)
 */
public record SdFolderExport(ExportFlavor flavor, Precision precision, WeightStorage storage,
    SdCheckpoint.UNetWeights unetWeights, int imageSize, Parameterization prediction, double scaleFactor,
    LoraSet loras) {

  /** Without LoRAs. */
  public SdFolderExport(ExportFlavor flavor, Precision precision, WeightStorage storage,
      SdCheckpoint.UNetWeights unetWeights, int imageSize, Parameterization prediction, double scaleFactor) {
    this(flavor, precision, storage, unetWeights, imageSize, prediction, scaleFactor, LoraSet.NONE);
  }

  /** With SD's scale factor 0.18215. */
  public SdFolderExport(ExportFlavor flavor, Precision precision, WeightStorage storage,
      SdCheckpoint.UNetWeights unetWeights, int imageSize, Parameterization prediction) {
    this(flavor, precision, storage, unetWeights, imageSize, prediction, SD1_SCALING_FACTOR);
  }

  /** The configs' family marker of folders converted from checkpoints. */
  public static final String FAMILY = "checkpoint-sd-v1";

  /** The VAE scale factor of SD 1.x ({@code scale_factor} of {@code v1-inference.yaml}). */
  public static final double SD1_SCALING_FACTOR = 0.18215;

  /** Optimum flavor, float32, weights external when large, model weights, 512 px. */
  public static final SdFolderExport DEFAULTS = new SdFolderExport(ExportFlavor.OPTIMUM, Precision.FP32,
      WeightStorage.AUTO, SdCheckpoint.UNetWeights.MODEL, 512, Parameterization.EPS, SD1_SCALING_FACTOR, LoraSet.NONE);

  /**
   * These options with {@code config}'s parameterization and scale factor where it gives them.
   */
  public SdFolderExport with(InferenceConfig config) {
    return new SdFolderExport(flavor, precision, storage, unetWeights, imageSize,
        config.parameterization().orElse(prediction), config.scaleFactor().orElse(scaleFactor), loras);
  }

  /** These options with the weights stored as {@code storage}. */
  public SdFolderExport withStorage(WeightStorage storage) {
    return new SdFolderExport(flavor, precision, storage, unetWeights, imageSize, prediction, scaleFactor, loras);
  }

  /** These options at {@code precision}. */
  public SdFolderExport withPrecision(Precision precision) {
    return new SdFolderExport(flavor, precision, storage, unetWeights, imageSize, prediction, scaleFactor, loras);
  }

  /** These options with {@code loras} merged into the weights. */
  public SdFolderExport withLoras(LoraSet loras) {
    return new SdFolderExport(flavor, precision, storage, unetWeights, imageSize, prediction, scaleFactor, loras);
  }

  /** Validates. */
  public SdFolderExport {
    Objects.requireNonNull(flavor, "flavor");
    Objects.requireNonNull(precision, "precision");
    Objects.requireNonNull(storage, "storage");
    Objects.requireNonNull(unetWeights, "unetWeights");
    Objects.requireNonNull(prediction, "prediction");
    Objects.requireNonNull(loras, "loras");
    if (!(scaleFactor > 0) || !Double.isFinite(scaleFactor)) {
      throw new IllegalArgumentException("scale factor must be finite and > 0, got " + scaleFactor);
    }
    if (imageSize < 8 || imageSize % 8 != 0) {
      throw new IllegalArgumentException("image size must be a positive multiple of 8, got " + imageSize);
    }
  }

  /**
   * Writes {@code checkpoint} into {@code dir} (which must not exist or be empty).
   *
   * @throws CheckpointFormatException when the checkpoint lacks a weight or has one of another shape
   *     (the first missing keys listed), or naming a LoRA file that cannot be merged into it
   * @throws IOException when a LoRA file cannot be read
   */
  public GeneratedFolder write(SdCheckpoint checkpoint, Path dir, WriteProgress progress) throws IOException {
    Objects.requireNonNull(checkpoint, "checkpoint");
    Objects.requireNonNull(dir, "dir");
    Objects.requireNonNull(progress, "progress");
    SdArchitecture a = checkpoint.architecture();
    requireComplete(checkpoint);
    try (LoraSet.Opened opened = loras.open(checkpoint, unetWeights)) {
      return write(checkpoint, opened.merge(checkpoint.weights(a, unetWeights)), dir, progress);
    }
  }

  /**
   * Checks that {@code checkpoint} has every weight its detected architecture needs.
   *
   * @throws CheckpointFormatException listing the first missing keys
   */
  void requireComplete(SdCheckpoint checkpoint) throws CheckpointFormatException {
    SdCheckpoint.KeyUsage usage = checkpoint.usage(checkpoint.architecture(), unetWeights);
    if (!usage.missing().isEmpty()) {
      throw new CheckpointFormatException(checkpoint.file(), usage.missing().size() + " weights of the detected "
          + "architecture are missing, e.g. " + usage.missing().subList(0, Math.min(5, usage.missing().size())));
    }
  }

  /**
   * The graph {@link #write} writes for {@code component} with weights {@code w} (built, not
   * materialised): its initializers are named and encoded as in the written file.
   */
  OnnxGraph graph(ModelComponent component, SdCheckpoint checkpoint, Weights w) {
    SdArchitecture a = checkpoint.architecture();
    return switch (component) {
      case TEXT_ENCODER -> SdGraphs.textEncoder(a, flavor, precision, w, true);
      case UNET -> SdGraphs.unet(a, flavor, precision, w);
      case VAE_DECODER -> SdGraphs.vaeDecoder(a, precision, w);
      case VAE_ENCODER -> SdGraphs.vaeEncoder(a, flavor, precision, w);
    };
  }

  private GeneratedFolder write(SdCheckpoint checkpoint, Weights w, Path dir, WriteProgress progress) {
    SdArchitecture a = checkpoint.architecture();
    int latent = imageSize / a.vae().downsamplingFactor();
    ObjectNode vae = SdConfigs.vae(a.vae(), imageSize, scaleFactor, FAMILY);
    List<Component> components = List.of(
        new Component("text_encoder", graph(ModelComponent.TEXT_ENCODER, checkpoint, w), SdConfigs.text(a.text(), FAMILY)),
        new Component("unet", graph(ModelComponent.UNET, checkpoint, w), SdConfigs.unet(a.unet(), latent, FAMILY)),
        new Component("vae_decoder", graph(ModelComponent.VAE_DECODER, checkpoint, w), vae),
        new Component("vae_encoder", graph(ModelComponent.VAE_ENCODER, checkpoint, w), vae.deepCopy()));
    // the folder's UNet takes encoder_hidden_states and in_channels as the checkpoint's, so ldm4j (UNetContract)
    // reads back the same key from it; the variant names the pipeline class model_index.json declares
    PipelineVariant variant = switch (checkpoint.conditioningKey()) {
      case CROSSATTN -> PipelineVariant.TEXT_TO_IMAGE;
      case HYBRID -> PipelineVariant.INPAINTING;
      case CONCAT, NONE -> throw new IllegalStateException("SdCheckpoint admits crossattn and hybrid UNets only, got "
          + checkpoint.conditioningKey());
    };
    // SD 2.x's OpenCLIP tokenizer pads with "!" (id 0), SD 1.x's with <|endoftext|>
    Optional<String> pad = checkpoint.family() == SdCheckpoint.Family.SD2 ? Optional.of("!") : Optional.empty();
    return FolderWriter.write(dir, new FolderSpec(flavor, variant, prediction, storage, components, pad), progress);
  }
}
