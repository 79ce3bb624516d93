package io.github.ldm4j.testkit.sd;

import io.github.ldm4j.export.folder.ExportFlavor;
import io.github.ldm4j.export.folder.Precision;
import io.github.ldm4j.export.onnx.OnnxGraph;
import io.github.ldm4j.testkit.internal.sd.ClipTextBuilder;
import io.github.ldm4j.testkit.internal.sd.UNetBuilder;
import io.github.ldm4j.testkit.internal.sd.VaeBuilder;

/**
 * The four ONNX graphs of an SD v1-style pipeline with seeded random weights. Building a graph does
 * not compute any weight: values are produced only when the graph is written, so full-scale graphs
 * can be built and inspected cheaply.
 */
public final class SdGraphs {

  private SdGraphs() {
  }

  /** The CLIP text encoder. */
  public static OnnxGraph textEncoder(SdArchitecture a, ExportFlavor flavor, Precision precision, long seed) {
    return ClipTextBuilder.build(a.text(), flavor, precision, seed);
  }

  /**
   * The CLIP text encoder; with {@code hiddenStates} it also outputs {@code hidden_states.0} …
   * {@code hidden_states.<layers>} (embeddings, then each block's output before the final
   * LayerNorm), as exports with {@code output_hidden_states=True} do — what CLIP skip needs.
   */
  public static OnnxGraph textEncoder(SdArchitecture a, ExportFlavor flavor, Precision precision, long seed,
      boolean hiddenStates) {
    return ClipTextBuilder.build(a.text(), flavor, precision, seed, hiddenStates);
  }

  /** The UNet. */
  public static OnnxGraph unet(SdArchitecture a, ExportFlavor flavor, Precision precision, long seed) {
    return UNetBuilder.build(a.unet(), flavor, precision, seed);
  }

  /** The VAE encoder. */
  public static OnnxGraph vaeEncoder(SdArchitecture a, ExportFlavor flavor, Precision precision, long seed) {
    return VaeBuilder.encoder(a.vae(), flavor, precision, seed);
  }

  /** The VAE decoder. */
  public static OnnxGraph vaeDecoder(SdArchitecture a, Precision precision, long seed) {
    return VaeBuilder.decoder(a.vae(), precision, seed);
  }

  /** Parameter counts of the four graphs (built, never materialised). */
  public static ParameterCounts parameterCounts(SdArchitecture a) {
    ExportFlavor f = ExportFlavor.OPTIMUM;
    Precision p = Precision.FP32;
    return new ParameterCounts(textEncoder(a, f, p, 0).parameterCount(), unet(a, f, p, 0).parameterCount(),
        vaeEncoder(a, f, p, 0).parameterCount(), vaeDecoder(a, p, 0).parameterCount());
  }
}
