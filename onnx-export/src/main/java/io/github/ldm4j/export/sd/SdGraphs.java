package io.github.ldm4j.export.sd;

import io.github.ldm4j.export.folder.ExportFlavor;
import io.github.ldm4j.export.folder.Precision;
import io.github.ldm4j.export.onnx.OnnxGraph;
import io.github.ldm4j.export.sd.internal.ClipTextBuilder;
import io.github.ldm4j.export.sd.internal.UNetBuilder;
import io.github.ldm4j.export.sd.internal.VaeBuilder;

/**
 * The four ONNX graphs of an SD v1-style pipeline, their parameters from a {@link Weights} source
 * (seeded random weights in tests, a checkpoint's weights in production). Building a graph does
 * not compute any weight: values are produced only when the graph is written, so full-scale graphs
 * can be built and inspected cheaply.
 */
public final class SdGraphs {

  private SdGraphs() {
  }

  /** The CLIP text encoder. */
  public static OnnxGraph textEncoder(SdArchitecture a, ExportFlavor flavor, Precision precision, Weights weights) {
    return ClipTextBuilder.build(a.text(), flavor, precision, weights);
  }

  /**
   * The CLIP text encoder; with {@code hiddenStates} it also outputs {@code hidden_states.0} …
   * {@code hidden_states.<layers>} (embeddings, then each block's output before the final
   * LayerNorm), as exports with {@code output_hidden_states=True} do — what CLIP skip needs.
   */
  public static OnnxGraph textEncoder(SdArchitecture a, ExportFlavor flavor, Precision precision, Weights weights,
      boolean hiddenStates) {
    return ClipTextBuilder.build(a.text(), flavor, precision, weights, hiddenStates);
  }

  /** The UNet. */
  public static OnnxGraph unet(SdArchitecture a, ExportFlavor flavor, Precision precision, Weights weights) {
    return UNetBuilder.build(a.unet(), flavor, precision, weights);
  }

  /** The VAE encoder. */
  public static OnnxGraph vaeEncoder(SdArchitecture a, ExportFlavor flavor, Precision precision, Weights weights) {
    return VaeBuilder.encoder(a.vae(), flavor, precision, weights);
  }

  /** The VAE decoder. */
  public static OnnxGraph vaeDecoder(SdArchitecture a, Precision precision, Weights weights) {
    return VaeBuilder.decoder(a.vae(), precision, weights);
  }

  /** Parameter counts of the four graphs (built, never materialised). */
  public static ParameterCounts parameterCounts(SdArchitecture a) {
    ExportFlavor f = ExportFlavor.OPTIMUM;
    Precision p = Precision.FP32;
    Weights none = Weights.structureOnly();
    return new ParameterCounts(textEncoder(a, f, p, none).parameterCount(), unet(a, f, p, none).parameterCount(),
        vaeEncoder(a, f, p, none).parameterCount(), vaeDecoder(a, p, none).parameterCount());
  }
}
