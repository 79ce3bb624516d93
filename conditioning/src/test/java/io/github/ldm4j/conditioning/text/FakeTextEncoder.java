package io.github.ldm4j.conditioning.text;

import io.github.ldm4j.model.LayerNorm;
import io.github.ldm4j.model.TextEncoder;
import io.github.ldm4j.model.TextEncoding;
import io.github.ldm4j.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A small deterministic text encoder for tests: layer n's hidden state at position l for token id
 * is a fixed function of (id, l, n, j); last_hidden_state is the final layer through a layer norm,
 * as in CLIP. Records every batch of ids it is given.
 */
final class FakeTextEncoder implements TextEncoder {

  static final int LAYERS = 4;

  private final int hidden;
  private final boolean exposeHiddenStates;
  private final boolean exposeLayerNorm;
  final List<int[][]> calls = new ArrayList<>();
  int closeCount;

  FakeTextEncoder(int hidden, boolean exposeHiddenStates, boolean exposeLayerNorm) {
    this.hidden = hidden;
    this.exposeHiddenStates = exposeHiddenStates;
    this.exposeLayerNorm = exposeLayerNorm;
  }

  static FakeTextEncoder full(int hidden) {
    return new FakeTextEncoder(hidden, true, true);
  }

  LayerNorm layerNorm() {
    float[] w = new float[hidden];
    float[] b = new float[hidden];
    for (int j = 0; j < hidden; j++) {
      w[j] = 1.0f + 0.25f * j;
      b[j] = 0.1f * j - 0.05f;
    }
    return new LayerNorm(w, b, 1e-5);
  }

  /** Hidden state n (0 = embeddings) for one token. */
  static float value(int id, int position, int layer, int j) {
    return (float) (Math.sin(0.001 * id * (j + 1) + 0.07 * position) * (layer + 1) + 0.3 * layer - 0.01 * j);
  }

  Tensor layer(int[][] ids, int layer) {
    Tensor t = Tensor.zeros(ids.length, 77, hidden);
    for (int b = 0; b < ids.length; b++) {
      for (int l = 0; l < 77; l++) {
        for (int j = 0; j < hidden; j++) {
          t.set((b * 77 + l) * hidden + j, value(ids[b][l], l, layer, j));
        }
      }
    }
    return t;
  }

  @Override
  public int hiddenSize() {
    return hidden;
  }

  @Override
  public int maxLength() {
    return 77;
  }

  @Override
  public TextEncoding encode(int[][] inputIds) {
    calls.add(inputIds.clone());
    for (int[] row : inputIds) {
      if (row.length != 77) {
        throw new IllegalArgumentException("row of " + row.length);
      }
    }
    List<Tensor> states = new ArrayList<>();
    for (int n = 0; n <= LAYERS; n++) {
      states.add(layer(inputIds, n));
    }
    Tensor last = layerNorm().apply(states.get(LAYERS));
    return new TextEncoding(last, Optional.empty(), exposeHiddenStates ? states : List.of());
  }

  @Override
  public Optional<LayerNorm> finalLayerNorm() {
    return exposeLayerNorm ? Optional.of(layerNorm()) : Optional.empty();
  }

  @Override
  public void close() {
    closeCount++;
  }
}
