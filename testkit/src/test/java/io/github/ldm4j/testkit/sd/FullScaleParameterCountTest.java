package io.github.ldm4j.testkit.sd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

/** Family 3: parameter counts of the full-scale graphs, counted from the graph structure only. */
class FullScaleParameterCountTest {

  @Test
  void countsMatchStableDiffusionV1() {
    ParameterCounts c = SdGraphs.parameterCounts(SdArchitecture.stableDiffusionV1());
    System.out.println(c);
    // Reference facts §1/§7: UNet 859.52 M, CLIP-L text 123.06 M, VAE decoder 49.49 M, encoder 34.16 M.
    assertThat(c.unet() / 1e6).isCloseTo(859.52, within(0.005));
    assertThat(c.textEncoder() / 1e6).isCloseTo(123.06, within(0.005));
    assertThat(c.vaeDecoder() / 1e6).isCloseTo(49.49, within(0.005));
    assertThat(c.vaeEncoder() / 1e6).isCloseTo(34.16, within(0.005));
  }
}
