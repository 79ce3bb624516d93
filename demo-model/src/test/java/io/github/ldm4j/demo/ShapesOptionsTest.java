package io.github.ldm4j.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** Bad shapes options fail with messages naming the argument. */
class ShapesOptionsTest {

  @Test
  void shapesSizeMustBeAMultipleOfEight() {
    assertThatThrownBy(() -> ShapesOptions.defaults().withImageSize(100))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("imageSize must be a multiple of 8");
    assertThatThrownBy(() -> ShapesOptions.defaults().withImageSize(8)).hasMessageContaining("[16, 2048]");
    assertThatThrownBy(() -> ShapesOptions.defaults().withImageSize(4096)).hasMessageContaining("got 4096");
    assertThatThrownBy(() -> ShapesDataset.of(0)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void int8IsRefusedForItHasNoWeights() {
    assertThatThrownBy(() -> ShapesOptions.defaults().withPrecision(io.github.ldm4j.export.folder.Precision.INT8))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("precision int8").hasMessageContaining("fp32 or fp16");
  }

  @Test
  void priorStrengthMustBePositive() {
    assertThatThrownBy(() -> new PriorStrength.Fixed(0)).hasMessageContaining("prior strength");
    assertThatThrownBy(() -> new PriorStrength.Fixed(Double.NaN)).hasMessageContaining("prior strength");
    assertThat(PriorStrength.scaledWithSize().beta(64)).isEqualTo(12);
    assertThat(PriorStrength.scaledWithSize().beta(128)).isEqualTo(12);
    assertThat(PriorStrength.scaledWithSize().beta(512)).isEqualTo(192);
    assertThat(PriorStrength.spec().beta(512)).isEqualTo(12);
  }
}
