package io.github.ldm4j.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.ldm4j.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** The two 8-bit rules on hand-computed values: u = clamp((x + 1)/2, 0, 1), then 255·u rounded or truncated. */
class QuantizationTest {

  @Test
  void midGreyIsTheOneLevelTheRulesDisagreeOn() {
    // x = 0: u = 0.5, 255·u = 127.5 -> round 128 (ties to even), truncate 127
    assertThat(Quantization.ROUND.apply(0f)).isEqualTo(128);
    assertThat(Quantization.TRUNCATE.apply(0f)).isEqualTo(127);
  }

  @Test
  void fractionsRoundToNearestOrTruncate() {
    // x = 0.5: u = 0.75, 191.25 -> 191 / 191; x = -0.5: u = 0.25, 63.75 -> 64 / 63
    assertThat(Quantization.ROUND.apply(0.5f)).isEqualTo(191);
    assertThat(Quantization.TRUNCATE.apply(0.5f)).isEqualTo(191);
    assertThat(Quantization.ROUND.apply(-0.5f)).isEqualTo(64);
    assertThat(Quantization.TRUNCATE.apply(-0.5f)).isEqualTo(63);
    // x = 0.99: u = 0.995, 253.725 -> 254 / 253
    assertThat(Quantization.ROUND.apply(0.99f)).isEqualTo(254);
    assertThat(Quantization.TRUNCATE.apply(0.99f)).isEqualTo(253);
  }

  @Test
  void tiesGoToEvenAsNumpyRound() {
    // float32: (x + 1)/2 = 0.39411765, 255·u = 100.5 exactly; np.round gives 100 (Math.round would give 101)
    assertThat(Quantization.ROUND.apply(-0.21176469326019287f)).isEqualTo(100);
    assertThat(Quantization.TRUNCATE.apply(-0.21176469326019287f)).isEqualTo(100);
  }

  @Test
  void endsAndBeyondClamp() {
    for (Quantization q : Quantization.values()) {
      assertThat(q.apply(-1f)).as(q.label()).isZero();
      assertThat(q.apply(-3.5f)).as(q.label()).isZero();
      assertThat(q.apply(Float.NEGATIVE_INFINITY)).as(q.label()).isZero();
      assertThat(q.apply(1f)).as(q.label()).isEqualTo(255);
      assertThat(q.apply(7f)).as(q.label()).isEqualTo(255);
      assertThat(q.apply(Float.POSITIVE_INFINITY)).as(q.label()).isEqualTo(255);
    }
    // x = 1 − 2⁻²³: x + 1 = 2 − 2⁻²³ exactly, u = 1 − 2⁻²⁴, 255·u = 254.99998 -> round 255, truncate 254
    float below = Math.nextDown(Math.nextDown(1f));
    assertThat(Quantization.ROUND.apply(below)).isEqualTo(255);
    assertThat(Quantization.TRUNCATE.apply(below)).isEqualTo(254);
    // x = 1 − 2⁻²⁴: x + 1 rounds (ties to even) to 2, so u = 1 and both give 255
    assertThat(Quantization.TRUNCATE.apply(Math.nextDown(1f))).isEqualTo(255);
  }

  @Test
  void nanIsRejected() {
    assertThatThrownBy(() -> Quantization.ROUND.apply(Float.NaN)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void namesParse() {
    assertThat(Quantization.fromName(" Truncate ")).isEqualTo(Quantization.TRUNCATE);
    assertThat(Quantization.fromName("round")).isEqualTo(Quantization.ROUND);
    assertThatThrownBy(() -> Quantization.fromName("floor")).hasMessageContaining("round, truncate");
  }

  @Test
  void imagesUseTheRule() {
    Tensor t = Tensor.of(new float[] {0f, 0.5f, -0.5f}, 1, 3, 1, 1);
    RgbImage round = RgbImage.fromTensor(t, 0, Quantization.ROUND);
    RgbImage truncate = RgbImage.fromTensor(t, 0, Quantization.TRUNCATE);
    assertThat(new int[] {round.channel(0, 0, 0), round.channel(0, 0, 1), round.channel(0, 0, 2)})
        .containsExactly(128, 191, 64);
    assertThat(new int[] {truncate.channel(0, 0, 0), truncate.channel(0, 0, 1), truncate.channel(0, 0, 2)})
        .containsExactly(127, 191, 63);
  }
}
