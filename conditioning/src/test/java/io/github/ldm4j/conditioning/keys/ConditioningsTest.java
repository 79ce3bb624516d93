package io.github.ldm4j.conditioning.keys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.github.ldm4j.conditioning.guidance.ClassifierFreeGuidance;
import io.github.ldm4j.conditioning.guidance.GuidanceBatching;
import io.github.ldm4j.conditioning.guidance.GuidanceOptions;
import io.github.ldm4j.model.GuidancePair;
import io.github.ldm4j.model.Conditioning;
import io.github.ldm4j.model.ConditioningKey;
import io.github.ldm4j.model.Denoiser;
import io.github.ldm4j.model.InpaintingConditioning;
import io.github.ldm4j.model.MaskDownsampling;
import io.github.ldm4j.tensor.Shape;
import io.github.ldm4j.tensor.Tensor;
import io.github.ldm4j.testsupport.NineChannelUNet;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Builders for crossattn / concat / hybrid and guided inpainting through them. */
class ConditioningsTest {

  @Test
  void concatJoinsPartsOnTheChannelAxisInOrder() {
    Tensor depth = Tensor.of(new float[] {1, 2, 3, 4}, 1, 1, 2, 2);
    Tensor extra = Tensor.of(new float[] {5, 6, 7, 8, 9, 10, 11, 12}, 1, 2, 2, 2);
    Conditioning c = Conditionings.concat(depth, extra);
    assertThat(c.key()).isEqualTo(ConditioningKey.CONCAT);
    assertThat(((Conditioning.Concat) c).channels().toArray()).containsExactly(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12);
    assertThat(((Conditioning.Concat) Conditionings.concat(depth)).channels()).isSameAs(depth);
  }

  @Test
  void mismatchesAreClearErrors() {
    assertThatThrownBy(() -> Conditionings.concat(Tensor.zeros(1, 1, 2, 2), Tensor.zeros(1, 1, 2, 3)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("part 1").hasMessageContaining("spatial");
    assertThatThrownBy(() -> Conditionings.concat()).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Conditionings.hybrid(Tensor.zeros(2, 77, 4), Tensor.zeros(1, 1, 2, 2)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("batch");
    assertThatThrownBy(() -> Conditionings.crossAttn(Tensor.zeros(77, 4)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("rank 3");
  }

  /**
   * Guidance over the concat key alone: the conditional and unconditional passes differ only in their
   * channel-concatenated inputs. With out[c] = x[c] + 10·m + 100·l[c] (NineChannelUNet, no context),
   * guided = ε_u + s·(ε_c − ε_u) = x + 10·m_u + 100·l_u + s·(10·(m_c − m_u) + 100·(l_c − l_u)).
   */
  @Test
  void concatGuidanceByHand() {
    int hw = 4;
    // B = 2, 2×2 latent; per item 5 concat channels (mask, 4 latent channels), distinct per item.
    Tensor condCh = Tensor.zeros(2, 5, 2, 2);
    Tensor uncondCh = Tensor.zeros(2, 5, 2, 2);
    for (int i = 0; i < condCh.size(); i++) {
      condCh.set(i, (float) (0.01 * (i % 7) + 0.1 * (i / 20)));
      uncondCh.set(i, (float) (0.02 * (i % 3) - 0.05));
    }
    Tensor x = Tensor.zeros(2, 4, 2, 2);
    for (int i = 0; i < x.size(); i++) {
      x.set(i, (float) (0.25 * i - 3));
    }
    double s = 4.0;
    float[] expected = new float[x.size()];
    for (int b = 0; b < 2; b++) {
      for (int c = 0; c < 4; c++) {
        for (int p = 0; p < hw; p++) {
          double mc = condCh.get((b * 5) * hw + p);
          double mu = uncondCh.get((b * 5) * hw + p);
          double lc = condCh.get((b * 5 + 1 + c) * hw + p);
          double lu = uncondCh.get((b * 5 + 1 + c) * hw + p);
          double xv = x.get((b * 4 + c) * hw + p);
          expected[(b * 4 + c) * hw + p] = (float) (xv + 10 * mu + 100 * lu + s * (10 * (mc - mu) + 100 * (lc - lu)));
        }
      }
    }
    Denoiser d = Denoiser.of(new NineChannelUNet(ConditioningKey.CONCAT));
    Conditioning cond = Conditionings.concat(condCh);
    Conditioning uncond = Conditionings.concat(uncondCh);
    Tensor batched = ClassifierFreeGuidance.wrap(d, cond, uncond, GuidanceOptions.of(s)).apply(x, 250);
    Tensor separate = ClassifierFreeGuidance.wrap(d, cond, uncond,
        GuidanceOptions.of(s).withBatching(GuidanceBatching.SEPARATE)).apply(x, 250);
    for (int i = 0; i < expected.length; i++) {
      assertThat((double) batched.get(i)).as("batched %d", i).isCloseTo(expected[i], within(1e-4));
      assertThat((double) separate.get(i)).as("separate %d", i).isCloseTo(expected[i], within(1e-4));
    }
  }

  @Test
  void guidedInpaintingGuidesOnlyTheText() {
    Tensor cond = Tensor.full(Shape.of(1, 77, 2), 1f);
    Tensor uncond = Tensor.zeros(1, 77, 2);
    GuidancePair prompts = GuidancePair.crossAttn(cond, uncond, List.of());
    Tensor latent = Tensor.of(new float[] {1, 2, 3, 4, 5, 6, 7, 8, 1, 1, 1, 1, 2, 2, 2, 2}, 1, 4, 2, 2);
    Tensor mask = Tensor.zeros(1, 1, 16, 16);
    GuidancePair pair = prompts.withConcat(InpaintingConditioning.channels(mask, latent, MaskDownsampling.NEAREST));
    Denoiser d = Denoiser.of(new NineChannelUNet(ConditioningKey.HYBRID));
    Tensor x = Tensor.full(Shape.of(1, 4, 2, 2), 0.5f);
    Tensor got = ClassifierFreeGuidance.wrap(d, pair, GuidanceOptions.of(7.5)).apply(x, 1);
    // ε_u = 0.5 + 100·latent, ε_c = ε_u + 154 (context sum): guided = ε_u + 7.5·154
    for (int i = 0; i < 16; i++) {
      assertThat(got.get(i)).isEqualTo((float) (0.5 + 100 * latent.get(i) + 7.5 * 154));
    }
    assertThat(pair.cond().key()).isEqualTo(ConditioningKey.HYBRID);
    assertThatThrownBy(() -> pair.withConcat(latent)).hasMessageContaining("only a crossattn pair");
  }
}
