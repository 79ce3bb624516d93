package io.github.ldm4j.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.github.ldm4j.tensor.Tensor;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** {@link LayerNorm} and the CLIP-skip default of {@link TextEncoder#encodeContext}. */
class LayerNormTest {

  @Test
  void normalisesEachRowWithPopulationVariance() {
    LayerNorm ln = new LayerNorm(new float[] {1, 2, 1, 1}, new float[] {0, 0, 0.5f, 0}, 1e-5);
    Tensor x = Tensor.of(new float[] {1, 2, 3, 4, 10, 10, 10, 10}, 2, 4);
    Tensor y = ln.apply(x);
    // row 0: mean 2.5, variance 1.25
    double inv = 1 / Math.sqrt(1.25 + 1e-5);
    assertThat(y.get(0)).isCloseTo((float) (-1.5 * inv), within(1e-6f));
    assertThat(y.get(1)).isCloseTo((float) (2 * -0.5 * inv), within(1e-6f));
    assertThat(y.get(2)).isCloseTo((float) (0.5 * inv + 0.5), within(1e-6f));
    assertThat(y.get(3)).isCloseTo((float) (1.5 * inv), within(1e-6f));
    // a constant row becomes the bias
    assertThat(y.get(4)).isZero();
    assertThat(y.get(6)).isEqualTo(0.5f);
  }

  @Test
  void rejectsBadParametersAndWidths() {
    assertThatThrownBy(() -> new LayerNorm(new float[2], new float[3], 1e-5)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new LayerNorm(new float[2], new float[2], 0)).isInstanceOf(IllegalArgumentException.class);
    LayerNorm ln = new LayerNorm(new float[2], new float[2], 1e-5);
    assertThatThrownBy(() -> ln.apply(Tensor.zeros(2, 3))).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("width 2");
  }

  /** An encoder of 2 layers whose hidden state n is n + id. */
  private static TextEncoder encoder(boolean hidden, boolean norm) {
    return new TextEncoder() {
      @Override public int hiddenSize() {
        return 2;
      }

      @Override public int maxLength() {
        return 3;
      }

      @Override public TextEncoding encode(int[][] ids) {
        Tensor[] states = new Tensor[3];
        for (int n = 0; n < 3; n++) {
          Tensor t = Tensor.zeros(ids.length, 3, 2);
          for (int b = 0; b < ids.length; b++) {
            for (int l = 0; l < 3; l++) {
              t.set((b * 3 + l) * 2, n + ids[b][l]);
              t.set((b * 3 + l) * 2 + 1, 2 * n);
            }
          }
          states[n] = t;
        }
        return new TextEncoding(Tensor.full(states[2].shape(), 42f), Optional.empty(),
            hidden ? List.of(states) : List.of());
      }

      @Override public Optional<LayerNorm> finalLayerNorm() {
        return norm ? Optional.of(new LayerNorm(new float[] {1, 1}, new float[] {0, 0}, 1e-5)) : Optional.empty();
      }
    };
  }

  @Test
  void clipSkipDefault() {
    int[][] ids = {{0, 2, 3}};
    assertThat(encoder(true, true).encodeContext(ids, 1).get(0)).isEqualTo(42f);
    Tensor skip2 = encoder(true, true).encodeContext(ids, 2);
    // hidden_states[-2] = layer 1: rows (1 + id, 2) → normalised to (-1, 1) or (1, -1) up to ε
    assertThat(skip2.get(0)).isCloseTo(-1f, within(1e-4f));
    assertThat(skip2.get(1)).isCloseTo(1f, within(1e-4f));
    assertThat(skip2.get(4)).isCloseTo(1f, within(1e-4f));
    assertThatThrownBy(() -> encoder(false, true).encodeContext(ids, 2))
        .isInstanceOf(UnsupportedOperationException.class).hasMessageContaining("hidden_states");
    assertThatThrownBy(() -> encoder(true, false).encodeContext(ids, 2))
        .isInstanceOf(UnsupportedOperationException.class).hasMessageContaining("final_layer_norm");
    assertThatThrownBy(() -> encoder(true, true).encodeContext(ids, 3))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("2 layers");
    assertThatThrownBy(() -> encoder(true, true).encodeContext(ids, 0))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
