package io.github.ldm4j.export.folder;

import io.github.ldm4j.export.onnx.WeightStorage;
import io.github.ldm4j.model.Parameterization;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Everything a model folder holds (the tokenizer is always the CLIP vocabulary, padded with {@code
 * padToken}).
 *
 * @param flavor export flavor (decides the {@code model_index.json} class names)
 * @param variant text-to-image or inpainting
 * @param prediction what the UNet predicts (written as the scheduler's {@code prediction_type})
 * @param storage where weights go
 * @param components text_encoder, unet, vae_decoder and optionally vae_encoder
 * @param padToken the tokenizer's padding token: empty for {@code <|endoftext|>} (SD 1.x), {@code
 *     "!"} (id 0) for SD 2.x's OpenCLIP
 */
public record FolderSpec(ExportFlavor flavor, PipelineVariant variant, Parameterization prediction,
    WeightStorage storage, List<Component> components, Optional<String> padToken) {

  /** A folder whose tokenizer pads with {@code <|endoftext|>}, as SD 1.x. */
  public FolderSpec(ExportFlavor flavor, PipelineVariant variant, Parameterization prediction, WeightStorage storage,
      List<Component> components) {
    this(flavor, variant, prediction, storage, components, Optional.empty());
  }

  /** Copies the list, rejects nulls. */
  public FolderSpec {
    Objects.requireNonNull(flavor, "flavor");
    Objects.requireNonNull(variant, "variant");
    Objects.requireNonNull(prediction, "prediction");
    Objects.requireNonNull(storage, "storage");
    components = List.copyOf(components);
    Objects.requireNonNull(padToken, "padToken");
  }
}
