package io.github.ldm4j.diffusion;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.github.ldm4j.model.FirstStage;
import io.github.ldm4j.model.LatentDistribution;
import io.github.ldm4j.tensor.Tensor;
import org.junit.jupiter.api.Test;

class ScaleFactorTest {

  private static FirstStage withScale(double s) {
    return new FirstStage() {
      @Override
      public int latentChannels() {
        return 4;
      }

      @Override
      public int downsamplingFactor() {
        return 8;
      }

      @Override
      public double scaleFactor() {
        return s;
      }

      @Override
      public boolean canEncode() {
        return false;
      }

      @Override
      public LatentDistribution encode(Tensor image) {
        throw new UnsupportedOperationException();
      }

      @Override
      public Tensor decode(Tensor latent) {
        return latent;
      }
    };
  }

  @Test
  void scaleByStdIsOneOverTheSampleStandardDeviation() {
    // z = 1, 2, 3, 4: mean 2.5, Σ(z − mean)² = 5, sample variance 5/3 (torch .std() divides by n − 1),
    // so scale = 1/√(5/3) = √0.6 = 0.7745966692414834.
    assertThat(ScaleFactor.fromLatents(Tensor.of(new float[] {1, 2, 3, 4}, 1, 1, 2, 2)))
        .isCloseTo(0.7745966692414834, within(1e-12));
  }

  @Test
  void policiesResolveTheirInitialValue() {
    FirstStage fs = withScale(0.18215);
    assertThat(ScaleFactor.fixed(0.5).initial(fs)).hasValue(0.5);
    assertThat(ScaleFactor.fromFirstStage().initial(fs)).hasValue(0.18215);
    assertThat(ScaleFactor.byStd().initial(fs)).isEmpty();
    assertThat(ScaleFactor.byStd()).isEqualTo(new ScaleFactor.ByStd());
  }

  @Test
  void badValuesAreRejected() {
    assertThatThrownBy(() -> ScaleFactor.fixed(0)).hasMessage("scale_factor must be finite and > 0, got 0.0");
    assertThatThrownBy(() -> ScaleFactor.fixed(Double.NaN)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> ScaleFactor.fromFirstStage().initial(withScale(-1)))
        .hasMessage("first stage scale_factor must be finite and > 0, got -1.0");
    assertThatThrownBy(() -> ScaleFactor.fromLatents(Tensor.full(io.github.ldm4j.tensor.Shape.of(1, 4), 2f)))
        .hasMessageContaining("zero standard deviation");
    assertThatThrownBy(() -> ScaleFactor.fromLatents(Tensor.zeros(1)))
        .hasMessageContaining("at least two latent elements");
    assertThatThrownBy(() -> ScaleFactor.fromLatents(Tensor.of(new float[] {1, Float.NaN}, 2)))
        .hasMessageContaining("latents for scale_by_std contains a non-finite value");
  }
}
