package io.github.ldm4j.demo;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.ldm4j.demo.internal.ShapesGraphs;
import io.github.ldm4j.export.folder.Component;
import io.github.ldm4j.export.folder.ComponentConfigs;
import io.github.ldm4j.export.folder.FolderSpec;
import io.github.ldm4j.export.folder.FolderWriter;
import io.github.ldm4j.export.folder.GeneratedFolder;
import io.github.ldm4j.export.folder.PipelineVariant;
import io.github.ldm4j.export.onnx.WeightStorage;
import io.github.ldm4j.export.onnx.WriteProgress;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * The "shapes" oracle: a tiny text-to-image model that is the exact optimal denoiser of the 16
 * images of {@link ShapesDataset}, so that a correct pipeline and sampler turn "a red circle" into
 * that image. Also the embedded demo model.
 *
 * <ul>
 *   <li><b>Text encoder</b>: {@code last_hidden_state[b, i, :]} = row {@code input_ids[b, i]} of a
 *       49408×8 table whose row is e_j for the token of attribute j (red, green, blue, yellow,
 *       circle, square, triangle, cross) and zero otherwise; {@code pooler_output} = the row at the
 *       first end-of-text token.
 *   <li><b>UNet</b>: presence p_j = max over tokens of the hidden state; log-prior
 *       ℓ_k = −β·Σ_j p_j(1 − A_kj), β = 12 (by default scaled up beyond 128 px, see
 *       {@link PriorStrength}); ᾱ from the SD v1 schedule at the timestep (table value
 *       for integer t, log-σ interpolation for fractional t); w = softmax_k(ℓ_k − ‖x_t − √ᾱ·y_k‖² /
 *       (2(1 − ᾱ))); x̂₀ = Σ_k w_k·y_k; ε = (x_t − √ᾱ·x̂₀)/√(1 − ᾱ); the x₀ variant returns x̂₀, the
 *       v variant √ᾱ·ε − √(1 − ᾱ)·x̂₀. Batch is dynamic; the latent size is fixed at S/8 (the
 *       dataset's size), or, with {@link ShapesOptions.Sizes#ANY} (the demo model), any: the images
 *       are then drawn at the requested size inside the graph, β taken at that size.
 *   <li><b>Inpainting UNet</b>: input x_t ‖ m ‖ c (9 channels); m = mask at latent resolution
 *       (1 = generate; pipelines should mark a latent position 0 only when its whole 8×8 patch is
 *       visible — the graph treats m ≤ 0 as known), c = scaled latent of the masked image;
 *       ℓ_k −= γ·Σ over known positions and channels of (c − y_k)², γ = 1.
 *   <li><b>VAE</b>: the fixed patch basis of {@link ShapesDataset}; {@code scaling_factor} = 1/std
 *       of the dataset latents, written to {@code vae_decoder/config.json} and
 *       {@code vae_encoder/config.json}.
 * </ul>
 *
 * <p>All arithmetic runs in float32; fp16 variants convert only at inputs and outputs. Writing is
 * deterministic: the same options give the same bytes.
 */
public final class ShapesModel {

  /** Family name recorded in the component configs. */
  public static final String FAMILY = "shapes-oracle";

  private ShapesModel() {
  }

  /** The UNet config, with the oracle's parameters under {@code _ldm4j_oracle}. */
  private static ObjectNode oracleConfig(ShapesOptions options, int unetIn, int latentSize) {
    ObjectNode n = ComponentConfigs.unetMinimal(unetIn, 4, latentSize, ShapesGraphs.HIDDEN, FAMILY);
    ObjectNode o = n.putObject("_ldm4j_oracle");
    o.put("beta", options.beta());
    o.put("gamma", ShapesGraphs.GAMMA);
    o.put("prediction_type", options.prediction().compvisName());
    o.put("image_size", options.imageSize());
    o.put("sizes", options.sizes().name().toLowerCase(java.util.Locale.ROOT));
    return n;
  }

  /**
   * Writes a complete model folder (model_index.json, scheduler, tokenizer, text_encoder, unet,
   * vae_decoder, vae_encoder) into {@code dir}, creating it if needed.
   *
   * @return what was written
   */
  public static GeneratedFolder write(Path dir, ShapesOptions options) {
    Objects.requireNonNull(dir, "dir");
    Objects.requireNonNull(options, "options");
    ShapesDataset data = ShapesDataset.of(options.imageSize());
    int s = options.imageSize();
    int l = data.latentSize();
    double sf = data.scalingFactor();
    int unetIn = options.variant() == PipelineVariant.INPAINTING ? 9 : 4;
    List<Component> components = List.of(
        new Component("text_encoder", ShapesGraphs.textEncoder(options.flavor(), options.precision()),
            ComponentConfigs.textMinimal(ShapesGraphs.HIDDEN, FAMILY)),
        new Component("unet", options.sizes() == ShapesOptions.Sizes.ANY
            ? ShapesGraphs.unetAnySize(data, options.flavor(), options.precision(), options.prediction(),
                options.variant(), options.priorStrength())
            : ShapesGraphs.unet(data, options.flavor(), options.precision(), options.prediction(), options.variant(),
                options.beta()), oracleConfig(options, unetIn, l)),
        new Component("vae_decoder", ShapesGraphs.vaeDecoder(options.precision()),
            ComponentConfigs.vaeMinimal(4, s, sf, FAMILY)),
        new Component("vae_encoder", ShapesGraphs.vaeEncoder(options.flavor(), options.precision()),
            ComponentConfigs.vaeMinimal(4, s, sf, FAMILY)));
    FolderSpec spec = new FolderSpec(options.flavor(), options.variant(), options.prediction(), WeightStorage.INLINE,
        components);
    return FolderWriter.write(dir, spec, WriteProgress.NONE);
  }
}
