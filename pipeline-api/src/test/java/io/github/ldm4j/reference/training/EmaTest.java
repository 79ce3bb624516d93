package io.github.ldm4j.reference.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.github.ldm4j.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EmaTest {

  private static Map<String, Tensor> params(float w, float b) {
    Map<String, Tensor> m = new LinkedHashMap<>();
    m.put("layer.weight", Tensor.of(new float[] {w, 2 * w}, 2));
    m.put("layer.bias", Tensor.of(new float[] {b}, 1));
    return m;
  }

  @Test
  void warmUpDecaySequenceByHand() {
    // LitEma with num_updates: update n uses decay_n = min(0.9999, (1 + n)/(10 + n)) = 2/11, 3/12, 4/13, …
    // From shadow 0 toward a constant parameter 1: shadow_n = 1 − Π_{k≤n} decay_k, so
    // 1 − shadow_1 = 2/11, 1 − shadow_2 = (2/11)(3/12) = 1/22, 1 − shadow_3 = (1/22)(4/13) = 2/143.
    Ema ema = new Ema(params(0, 0));
    Map<String, Tensor> one = params(1, 1);
    assertThat(ema.nextDecay()).isCloseTo(2.0 / 11, within(1e-7));
    assertThat(ema.update(one)).isCloseTo(2.0 / 11, within(1e-7));
    assertThat((double) ema.shadow("layer.bias").get(0)).isCloseTo(1 - 2.0 / 11, within(1e-7));
    assertThat(ema.update(one)).isCloseTo(3.0 / 12, within(1e-7));
    assertThat((double) ema.shadow("layer.bias").get(0)).isCloseTo(1 - 1.0 / 22, within(1e-7));
    assertThat(ema.update(one)).isCloseTo(4.0 / 13, within(1e-7));
    assertThat((double) ema.shadow("layer.bias").get(0)).isCloseTo(1 - 2.0 / 143, within(1e-7));
    // weight[1] moves from 0 toward 2: the same fractions of the way.
    assertThat((double) ema.shadow("layer.weight").get(1)).isCloseTo(2 * (1 - 2.0 / 143), within(2e-7));
    assertThat(ema.numUpdates()).isEqualTo(3);
  }

  @Test
  void decayIsCappedAtTheConfiguredValue() {
    // (1 + n)/(10 + n) reaches 0.9999 at n = 89991; without warm-up the decay is the float32 0.9999 from the
    // first step: 1 − float32(0.9999) = 1.0001659393310547e-4 (torch: 1.0 - torch.tensor(0.9999)).
    Ema ema = new Ema(params(0, 0), Ema.DEFAULT_DECAY, false);
    assertThat(ema.numUpdates()).isEqualTo(-1);
    assertThat(ema.update(params(1, 1))).isEqualTo((double) 0.9999f);
    assertThat(ema.shadow("layer.bias").get(0)).isEqualTo(1f - 0.9999f);
    assertThat((double) (1f - 0.9999f)).isEqualTo(1.0001659393310547e-4);
    Ema warm = new Ema(params(0, 0));
    for (int i = 0; i < 5; i++) {
      warm.update(params(0, 0));
    }
    assertThat(warm.nextDecay()).isCloseTo(7.0 / 16, within(1e-7));
  }

  @Test
  void copyToStoreAndRestoreSwapWeights() {
    Ema ema = new Ema(params(0, 0));
    Map<String, Tensor> model = params(1, 1);
    ema.update(model); // shadow = 9/11 of the way to 1
    ema.store(model);
    ema.copyTo(model);
    assertThat((double) model.get("layer.bias").get(0)).isCloseTo(9.0 / 11, within(1e-7));
    ema.restore(model);
    assertThat(model.get("layer.bias").get(0)).isEqualTo(1f);
    assertThat(model.get("layer.weight").toArray()).containsExactly(1f, 2f);
    assertThat(ema.names()).containsExactly("layer.bias", "layer.weight");
  }

  @Test
  void shadowsAreCopiesAndIndependentOfTheCallersTensors() {
    Map<String, Tensor> model = params(3, 4);
    Ema ema = new Ema(model);
    model.get("layer.bias").set(0, 100);
    assertThat(ema.shadow("layer.bias").get(0)).isEqualTo(4f);
    ema.shadow("layer.bias").set(0, -1);
    assertThat(ema.shadow("layer.bias").get(0)).isEqualTo(4f);
  }

  @Test
  void mismatchesAreRejected() {
    assertThatThrownBy(() -> new Ema(params(0, 0), 1.5, true)).hasMessage("EMA decay must be between 0 and 1, got 1.5");
    assertThatThrownBy(() -> new Ema(Map.of())).hasMessage("EMA needs at least one parameter");
    Ema ema = new Ema(params(0, 0));
    Map<String, Tensor> renamed = new LinkedHashMap<>();
    renamed.put("layer.weight", Tensor.zeros(2));
    renamed.put("layer.scale", Tensor.zeros(1));
    assertThatThrownBy(() -> ema.update(renamed))
        .hasMessage("parameters do not match the EMA's: missing [layer.bias], unexpected [layer.scale]");
    Map<String, Tensor> reshaped = params(0, 0);
    reshaped.put("layer.bias", Tensor.zeros(2));
    assertThatThrownBy(() -> ema.update(reshaped)).hasMessage("parameter 'layer.bias': shape [2] does not match [1]");
    Map<String, Tensor> nan = params(0, Float.NaN);
    assertThatThrownBy(() -> ema.update(nan)).hasMessageContaining("parameter 'layer.bias' contains a non-finite value");
    assertThatThrownBy(() -> ema.restore(params(0, 0))).isInstanceOf(IllegalStateException.class).hasMessage("restore called before store");
    assertThatThrownBy(() -> ema.shadow("nope")).hasMessage("no EMA parameter 'nope'; known: [layer.bias, layer.weight]");
    assertThat(ema.numUpdates()).isZero();
  }
}
