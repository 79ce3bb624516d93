package io.github.ldm4j.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.ldm4j.tensor.Tensor;
import java.util.EnumSet;
import org.junit.jupiter.api.Test;

class ConditioningKeyTest {

  private static Tensor ramp(int... dims) {
    Tensor t = Tensor.zeros(dims);
    for (int i = 0; i < t.size(); i++) {
      t.set(i, i + 0.5f);
    }
    return t;
  }

  private static final Tensor X = ramp(2, 4, 3, 3);
  private static final Tensor CONTEXT = ramp(2, 5, 7);
  private static final Tensor CHANNELS = ramp(2, 1, 3, 3).scale(-1);

  @Test
  void theKeyOfANetworkFollowsWhatItTakes() {
    assertThat(ConditioningKey.of(true, false)).isEqualTo(ConditioningKey.CROSSATTN);
    assertThat(ConditioningKey.of(true, true)).isEqualTo(ConditioningKey.HYBRID);
    assertThat(ConditioningKey.of(false, true)).isEqualTo(ConditioningKey.CONCAT);
    assertThat(ConditioningKey.of(false, false)).isEqualTo(ConditioningKey.NONE);
  }

  @Test
  void noneKeepsTheLatentAndHasNoContext() {
    ConditioningKey.NetworkInputs in = ConditioningKey.NONE.route(X, Conditioning.none());
    assertThat(in.sample()).isSameAs(X);
    assertThat(in.context()).isEmpty();
  }

  @Test
  void crossAttnPassesTheContext() {
    ConditioningKey.NetworkInputs in = ConditioningKey.CROSSATTN.route(X, Conditioning.crossAttn(CONTEXT));
    assertThat(in.sample()).isSameAs(X);
    assertThat(in.context()).containsSame(CONTEXT);
  }

  @Test
  void concatAppendsChannelsAfterTheLatent() {
    ConditioningKey.NetworkInputs in = ConditioningKey.CONCAT.route(X, Conditioning.concat(CHANNELS));
    assertThat(in.context()).isEmpty();
    assertThat(in.sample().shape().dims()).containsExactly(2, 5, 3, 3);
    assertConcatenated(in.sample());
  }

  @Test
  void hybridDoesBoth() {
    ConditioningKey.NetworkInputs in = ConditioningKey.HYBRID.route(X, Conditioning.hybrid(CONTEXT, CHANNELS));
    assertThat(in.context()).containsSame(CONTEXT);
    assertConcatenated(in.sample());
  }

  /** cat([x, c], dim=1): per batch item, x's 4 channels then c's 1. */
  private static void assertConcatenated(Tensor s) {
    for (int b = 0; b < 2; b++) {
      for (int c = 0; c < 5; c++) {
        for (int h = 0; h < 3; h++) {
          for (int w = 0; w < 3; w++) {
            float expected = c < 4 ? X.at(b, c, h, w) : CHANNELS.at(b, 0, h, w);
            assertThat(s.at(b, c, h, w)).isEqualTo(expected);
          }
        }
      }
    }
  }

  @Test
  void everyOtherVariantIsRejectedByEveryKey() {
    Conditioning[] all = {
      Conditioning.none(), Conditioning.crossAttn(CONTEXT), Conditioning.concat(CHANNELS), Conditioning.hybrid(CONTEXT, CHANNELS)
    };
    EnumSet<ConditioningKey> seen = EnumSet.noneOf(ConditioningKey.class);
    for (ConditioningKey key : ConditioningKey.values()) {
      for (Conditioning c : all) {
        if (c.key() == key) {
          seen.add(key);
          assertThat(key.route(X, c)).isNotNull();
        } else {
          assertThatThrownBy(() -> key.route(X, c))
              .isInstanceOf(IllegalArgumentException.class)
              .hasMessage("a denoiser with conditioning key '" + key.compvisName() + "' cannot take '"
                  + c.key().compvisName() + "' conditioning");
        }
      }
    }
    assertThat(seen).containsExactlyInAnyOrder(ConditioningKey.values());
  }

  @Test
  void mismatchedBatchOrSpatialSizesAreRejected() {
    assertThatThrownBy(() -> ConditioningKey.CROSSATTN.route(X, Conditioning.crossAttn(ramp(3, 5, 7))))
        .hasMessageContaining("context batch 3")
        .hasMessageContaining("does not match latent batch 2");
    assertThatThrownBy(() -> ConditioningKey.CONCAT.route(X, Conditioning.concat(ramp(2, 1, 4, 3))))
        .hasMessageContaining("concat conditioning of shape [2, 1, 4, 3] does not match latent [2, 4, 3, 3]");
    assertThatThrownBy(() -> ConditioningKey.HYBRID.route(X, Conditioning.hybrid(CONTEXT, ramp(1, 1, 3, 3))))
        .hasMessageContaining("in batch or spatial size");
    assertThatThrownBy(() -> ConditioningKey.NONE.route(ramp(4, 3), Conditioning.none()))
        .hasMessageContaining("latent x must be [B, C, h, w]");
  }

  @Test
  void conditioningVariantsValidateRanks() {
    assertThatThrownBy(() -> Conditioning.crossAttn(ramp(2, 7)))
        .hasMessage("crossattn context must have rank 3, got shape [2, 7]");
    assertThatThrownBy(() -> Conditioning.concat(ramp(2, 7, 3)))
        .hasMessage("concat channels must have rank 4, got shape [2, 7, 3]");
    assertThatThrownBy(() -> Conditioning.hybrid(CONTEXT, ramp(2, 3)))
        .hasMessageContaining("hybrid concat channels must have rank 4");
    assertThatThrownBy(() -> Conditioning.crossAttn(null)).isInstanceOf(NullPointerException.class);
  }

  @Test
  void namesParse() {
    assertThat(ConditioningKey.fromName(null)).isEqualTo(ConditioningKey.NONE);
    assertThat(ConditioningKey.fromName("None")).isEqualTo(ConditioningKey.NONE);
    assertThat(ConditioningKey.fromName("crossattn")).isEqualTo(ConditioningKey.CROSSATTN);
    assertThat(ConditioningKey.fromName(" CONCAT ")).isEqualTo(ConditioningKey.CONCAT);
    assertThat(ConditioningKey.fromName("hybrid")).isEqualTo(ConditioningKey.HYBRID);
    assertThatThrownBy(() -> ConditioningKey.fromName("adm"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("unknown conditioning key 'adm'; expected one of none, crossattn, concat, hybrid");
  }
}
