package io.github.ldm4j.testkit.sd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.github.ldm4j.export.folder.ExportFlavor;
import io.github.ldm4j.export.folder.Precision;
import io.github.ldm4j.export.onnx.OnnxGraph;
import io.github.ldm4j.export.onnx.OnnxModelWriter;
import io.github.ldm4j.export.sd.ParameterCounts;
import io.github.ldm4j.export.sd.SdArchitecture;
import io.github.ldm4j.export.sd.SdGraphs;
import io.github.ldm4j.export.sd.Weights;
import org.junit.jupiter.api.Test;

/** Family 3: parameter counts of the full-scale graphs, counted from the graph structure only. */
class FullScaleParameterCountTest {

  @Test
  void countsMatchStableDiffusionV1() {
    ParameterCounts c = SdGraphs.parameterCounts(SdArchitecture.stableDiffusionV1());
    // Reference facts §1/§7: UNet 859.52 M, CLIP-L text 123.06 M, VAE decoder 49.49 M, encoder 34.16 M.
    assertThat(c.unet() / 1e6).isCloseTo(859.52, within(0.005));
    assertThat(c.textEncoder() / 1e6).isCloseTo(123.06, within(0.005));
    assertThat(c.vaeDecoder() / 1e6).isCloseTo(49.49, within(0.005));
    assertThat(c.vaeEncoder() / 1e6).isCloseTo(34.16, within(0.005));
    // Exact counts of this generator (regression values, consistent with the facts above);
    // the encoder's includes quant_conv (8·8 + 8 = 72 parameters).
    assertThat(c.unet()).isEqualTo(859_520_964L);
    assertThat(c.textEncoder()).isEqualTo(123_060_480L);
    assertThat(c.vaeDecoder()).isEqualTo(49_490_199L);
    assertThat(c.vaeEncoder()).isEqualTo(34_163_664L);
  }

  @Test
  void inpaintingUNetAddsFiveInputChannelsToConvIn() {
    long base = SdGraphs.parameterCounts(SdArchitecture.stableDiffusionV1()).unet();
    long inpaint = SdGraphs.parameterCounts(SdArchitecture.stableDiffusionV1().inpainting()).unet();
    assertThat(inpaint - base).isEqualTo(5L * 320 * 3 * 3);
  }

  @Test
  void fullScaleGraphsBuildWithoutWeightsAndChooseExternalData() {
    SdArchitecture a = SdArchitecture.stableDiffusionV1();
    OnnxGraph fp32 = SdGraphs.unet(a, ExportFlavor.OPTIMUM, Precision.FP32, Weights.structureOnly());
    OnnxGraph fp16 = SdGraphs.unet(a, ExportFlavor.LEGACY, Precision.FP16, Weights.structureOnly());
    assertThat(fp32.initializerBytes()).isGreaterThan(4 * 859_520_964L);
    assertThat(fp16.initializerBytes()).isGreaterThan(2 * 859_520_964L).isLessThan(fp32.initializerBytes() / 2 + 1_000_000);
    // AUTO storage goes external above 1 GiB: both full-scale UNets.
    assertThat(fp16.initializerBytes()).isGreaterThan(OnnxModelWriter.AUTO_EXTERNAL_BYTES);
  }
}
