package io.github.ldm4j.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.ldm4j.random.RandomSource;
import io.github.ldm4j.tensor.Shape;
import io.github.ldm4j.tensor.Tensor;
import io.github.ldm4j.testsupport.NineChannelUNet;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Inpainting concat conditioning against hand-computed tensors. */
class InpaintingConditioningTest {

  /** A 1×1×16×16 mask: masked (1) where pixel row ≥ 9 or column == 3, soft 0.6 at (0, 8). */
  private static Tensor mask16() {
    Tensor m = Tensor.zeros(1, 1, 16, 16);
    for (int i = 0; i < 16; i++) {
      for (int j = 0; j < 16; j++) {
        if (i >= 9 || j == 3) {
          m.set(i * 16 + j, 1f);
        }
      }
    }
    m.set(8, 0.6f);
    m.set(1, 0.4f);
    return m;
  }

  @Test
  void nearestTakesTheTopLeftPixelOfEachPatch() {
    Tensor small = InpaintingConditioning.downsampleMask(mask16(), 8, MaskDownsampling.NEAREST);
    assertThat(small.shape()).isEqualTo(Shape.of(1, 1, 2, 2));
    // (0,0) ← pixel (0,0) = 0; (0,1) ← pixel (0,8) = 0.6 → 1; (1,0) ← (8,0) = 0; (1,1) ← (8,8) = 0
    assertThat(small.toArray()).containsExactly(0f, 1f, 0f, 0f);
  }

  @Test
  void anyMaskedMarksEveryPatchTouchingTheMask() {
    Tensor small = InpaintingConditioning.downsampleMask(mask16(), 8, MaskDownsampling.ANY_MASKED);
    // (0,0) holds column 3 → 1; (0,1) holds the 0.6 pixel → 1; row 1 holds rows ≥ 9 → 1, 1
    assertThat(small.toArray()).containsExactly(1f, 1f, 1f, 1f);
    Tensor m = Tensor.zeros(1, 1, 16, 16);
    m.set(15 * 16 + 15, 1f);
    assertThat(InpaintingConditioning.downsampleMask(m, 8, MaskDownsampling.ANY_MASKED).toArray())
        .containsExactly(0f, 0f, 0f, 1f);
    assertThat(InpaintingConditioning.downsampleMask(m, 8, MaskDownsampling.NEAREST).toArray())
        .containsExactly(0f, 0f, 0f, 0f);
  }

  @Test
  void channelsAreMaskThenMaskedImageLatent() {
    Tensor latent = Tensor.of(new float[] {1, 2, 3, 4, 5, 6, 7, 8}, 1, 2, 2, 2);
    Tensor ch = InpaintingConditioning.channels(mask16(), latent, MaskDownsampling.NEAREST);
    assertThat(ch.shape()).isEqualTo(Shape.of(1, 3, 2, 2));
    assertThat(ch.toArray()).containsExactly(0, 1, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8);
  }

  @Test
  void maskedImageZeroesTheRegionToRepaint() {
    Tensor image = Tensor.full(Shape.of(1, 3, 16, 16), 0.5f);
    Tensor masked = InpaintingConditioning.maskedImage(image, mask16());
    assertThat(masked.at(0, 0, 0, 0)).isEqualTo(0.5f);
    assertThat(masked.at(0, 2, 0, 1)).isEqualTo(0.5f);   // 0.4 < 0.5: kept
    assertThat(masked.at(0, 1, 0, 8)).isZero();           // 0.6: repainted
    assertThat(masked.at(0, 2, 12, 12)).isZero();
    assertThat(masked.at(0, 0, 5, 3)).isZero();
    assertThat(InpaintingConditioning.binarizeMask(mask16()).toArray()).containsOnly(0f, 1f);
  }

  /** Encoder: latent = mean over each 8×8 patch of channel 0, 4 channels scaled by k+1. */
  static final class PatchMeanFirstStage implements FirstStage {
    @Override public int latentChannels() {
      return 4;
    }

    @Override public int downsamplingFactor() {
      return 8;
    }

    @Override public double scaleFactor() {
      return 0.18215;
    }

    @Override public boolean canEncode() {
      return true;
    }

    @Override public LatentDistribution encode(Tensor image) {
      int h = image.dim(2) / 8;
      int w = image.dim(3) / 8;
      Tensor z = Tensor.zeros(image.dim(0), 4, h, w);
      for (int k = 0; k < 4; k++) {
        for (int i = 0; i < h; i++) {
          for (int j = 0; j < w; j++) {
            double s = 0;
            for (int a = 0; a < 8; a++) {
              for (int b = 0; b < 8; b++) {
                s += image.at(0, 0, i * 8 + a, j * 8 + b);
              }
            }
            z.set((k * h + i) * w + j, (float) ((k + 1) * s / 64));
          }
        }
      }
      return new LatentDistribution(z, Optional.of(Tensor.zeros(z.shape())));
    }

    @Override public Tensor decode(Tensor latent) {
      throw new UnsupportedOperationException();
    }
  }

  @Test
  void fromImageEncodesTheMaskedImageAndScales() {
    Tensor image = Tensor.full(Shape.of(1, 3, 16, 16), 1f);
    Tensor ch = InpaintingConditioning.fromImage(new PatchMeanFirstStage(), image, mask16(), MaskDownsampling.NEAREST,
        Optional.empty());
    assertThat(ch.shape()).isEqualTo(Shape.of(1, 5, 2, 2));
    // patch (0,0): column 3 masked → 56/64 kept; (0,1): pixel (0,8) masked → 63/64; row 1: rows 9..15 masked → 8/64
    // except (1,0) also loses nothing more (column 3 is in rows 8 too): row 8 has 7 kept pixels → 7/64
    double[] kept = {56.0 / 64, 63.0 / 64, 7.0 / 64, 8.0 / 64};
    for (int k = 0; k < 4; k++) {
      for (int p = 0; p < 4; p++) {
        assertThat(ch.get((1 + k) * 4 + p)).isCloseTo((float) (0.18215 * (k + 1) * kept[p]),
            org.assertj.core.data.Offset.offset(1e-6f));
      }
    }
    // sampling draws from the rng (variance exp(0) = 1 here)
    RandomSource ones = shape -> Tensor.full(shape, 1f);
    Tensor sampled = InpaintingConditioning.encodeMaskedImage(new PatchMeanFirstStage(), image, mask16(), Optional.of(ones));
    assertThat(sampled.get(0)).isCloseTo((float) (0.18215 * (kept[0] + 1)), org.assertj.core.data.Offset.offset(1e-6f));
  }

  @Test
  void concatAndHybridRouteIntoANineChannelUNet() {
    Tensor latent = Tensor.of(new float[] {1, 2, 3, 4, 5, 6, 7, 8, 1, 1, 1, 1, 2, 2, 2, 2}, 1, 4, 2, 2);
    Tensor x = Tensor.full(Shape.of(1, 4, 2, 2), 0.5f);
    Tensor t = Tensor.of(new float[] {3}, 1);
    Conditioning concat = InpaintingConditioning.concat(mask16(), latent, MaskDownsampling.NEAREST);
    Tensor out = Denoiser.of(new NineChannelUNet(ConditioningKey.CONCAT)).applyModel(x, t, concat);
    float[] maskSmall = {0, 1, 0, 0};
    for (int c = 0; c < 4; c++) {
      for (int p = 0; p < 4; p++) {
        assertThat(out.get(c * 4 + p)).isEqualTo(0.5f + 10 * maskSmall[p] + 100 * latent.get(c * 4 + p));
      }
    }
    Tensor context = Tensor.full(Shape.of(1, 77, 2), 0.25f);
    Conditioning hybrid = Conditioning.hybrid(context, InpaintingConditioning.channels(mask16(), latent,
        MaskDownsampling.NEAREST));
    Tensor outH = Denoiser.of(new NineChannelUNet(ConditioningKey.HYBRID)).applyModel(x, t, hybrid);
    assertThat(outH.get(5)).isEqualTo(out.get(5) + 0.25f * 154);
  }

  @Test
  void sizeMismatchesAreClearErrors() {
    Tensor latent = Tensor.zeros(1, 4, 2, 2);
    assertThatThrownBy(() -> InpaintingConditioning.channels(Tensor.zeros(1, 1, 16, 24), latent, MaskDownsampling.NEAREST))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("whole factor");
    assertThatThrownBy(() -> InpaintingConditioning.channels(Tensor.zeros(1, 1, 15, 15), latent, MaskDownsampling.NEAREST))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("whole factor");
    assertThatThrownBy(() -> InpaintingConditioning.channels(Tensor.zeros(2, 1, 16, 16), latent, MaskDownsampling.NEAREST))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("batch");
    assertThatThrownBy(() -> InpaintingConditioning.channels(Tensor.zeros(1, 3, 16, 16), latent, MaskDownsampling.NEAREST))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("[B, 1, H, W]");
    assertThatThrownBy(() -> InpaintingConditioning.maskedImage(Tensor.zeros(1, 3, 16, 8), Tensor.zeros(1, 1, 16, 16)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("differ");
    Tensor bad = Tensor.zeros(1, 1, 16, 16);
    bad.set(3, 1.5f);
    assertThatThrownBy(() -> InpaintingConditioning.binarizeMask(bad))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("[0, 1]");
    bad.set(3, Float.NaN);
    assertThatThrownBy(() -> InpaintingConditioning.binarizeMask(bad)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> InpaintingConditioning.downsampleMask(Tensor.zeros(1, 1, 12, 12), 8, MaskDownsampling.NEAREST))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("multiples");
    assertThatThrownBy(() -> InpaintingConditioning.encodeMaskedImage(new PatchMeanFirstStage(),
        Tensor.zeros(1, 3, 12, 12), Tensor.zeros(1, 1, 12, 12), Optional.empty()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("multiples of 8");
  }
}
