package io.github.ldm4j.export.folder;

import io.github.ldm4j.export.onnx.WeightStorage;
import io.github.ldm4j.model.Parameterization;
import java.util.List;
import java.util.Objects;

/**
 * Everything a model folder holds besides the tokenizer (always the CLIP vocabulary).
 *
 * @param flavor export flavor (decides the {@code model_index.json} class names)
 * @param variant text-to-image or inpainting
 * @param prediction what the UNet predicts (written as the scheduler's {@code prediction_type})
 * @param storage where weights go
 * @param components text_encoder, unet, vae_decoder and optionally vae_encoder
 */
public record FolderSpec(ExportFlavor flavor, PipelineVariant variant, Parameterization prediction,
    WeightStorage storage, List<Component> components) {

  /** Copies the list, rejects nulls. */
  public FolderSpec {
    Objects.requireNonNull(flavor, "flavor");
    Objects.requireNonNull(variant, "variant");
    Objects.requireNonNull(prediction, "prediction");
    Objects.requireNonNull(storage, "storage");
    components = List.copyOf(components);
  }
}
