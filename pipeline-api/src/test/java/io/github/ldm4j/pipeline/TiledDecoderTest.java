package io.github.ldm4j.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.ldm4j.image.RgbImage;
import io.github.ldm4j.testsupport.GaussianTestRandom;
import io.github.ldm4j.tensor.Tensor;
import org.junit.jupiter.api.Test;

class TiledDecoderTest {

  private final InMemoryModel.PatchFirstStage vae = new InMemoryModel.PatchFirstStage(false, true);

  @Test
  void tilesCoverTheLatentWithTheLastFlushAgainstTheEdge() {
    TiledDecoder t = new TiledDecoder(8, 2);
    assertThat(t.starts(8)).containsExactly(0);
    assertThat(t.starts(9)).containsExactly(0, 1);
    assertThat(t.starts(20)).containsExactly(0, 6, 12);
    assertThat(t.starts(21)).containsExactly(0, 6, 12, 13);
  }

  @Test
  void aPatchLocalDecoderGivesTheWholeDecodeExactlyAcrossSeams() {
    Tensor z = new GaussianTestRandom(7).randn(2, InMemoryModel.C, 21, 13);
    Tensor whole = vae.decode(z);
    Tensor tiled = new TiledDecoder(8, 3).decode(vae, z);
    assertThat(tiled.shape()).isEqualTo(whole.shape());
    assertThat(tiled.maxAbsDiff(whole)).isLessThan(1e-6);
    // No overlap at all still covers every pixel once.
    assertThat(new TiledDecoder(5, 0).decode(vae, z).maxAbsDiff(whole)).isLessThan(1e-6);
  }

  @Test
  void smallLatentsAreDecodedInOneCall() {
    Tensor z = new GaussianTestRandom(1).randn(1, InMemoryModel.C, 4, 4);
    assertThat(TiledDecoder.DEFAULT.needsTiling(4, 4)).isFalse();
    assertThat(TiledDecoder.DEFAULT.decode(vae, z).maxAbsDiff(vae.decode(z))).isZero();
  }

  @Test
  void rejectsBadGeometry() {
    assertThatThrownBy(() -> new TiledDecoder(1, 0)).hasMessageContaining("tile size");
    assertThatThrownBy(() -> new TiledDecoder(8, 8)).hasMessageContaining("overlap must be in [0, 8)");
  }

  @Test
  void previewOfALinearPatchDecoderIsTheExactPatchMean() {
    LatentPreview preview = LatentPreview.fit(vae, new GaussianTestRandom(3));
    Tensor scaled = new GaussianTestRandom(5).randn(1, InMemoryModel.C, 3, 4).scale(0.2);
    RgbImage p = preview.render(scaled, 0);
    Tensor full = vae.decode(scaled.scale(1 / vae.scaleFactor()));
    int f = InMemoryModel.F;
    for (int y = 0; y < 3; y++) {
      for (int x = 0; x < 4; x++) {
        for (int c = 0; c < 3; c++) {
          double mean = 0;
          for (int dy = 0; dy < f; dy++) {
            for (int dx = 0; dx < f; dx++) {
              mean += full.at(0, c, y * f + dy, x * f + dx);
            }
          }
          mean /= f * f;
          int expected = (int) Math.round(Math.min(Math.max((mean + 1) / 2, 0), 1) * 255);
          assertThat(p.channel(x, y, c)).as("pixel %d,%d channel %d", x, y, c).isBetween(expected - 1, expected + 1);
        }
      }
    }
  }
}
