package io.github.ldm4j.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.github.ldm4j.testsupport.GaussianTestRandom;
import io.github.ldm4j.tensor.Tensor;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class LatentDistributionTest {

  @Test
  void momentsSplitIntoMeanAndClampedLogVariance() {
    // [1, 2C = 2, 1, 2]: mean channel (1, 2), logvar channel (−40, 25) clamped to (−30, 20).
    LatentDistribution d = LatentDistribution.fromMoments(Tensor.of(new float[] {1, 2, -40, 25}, 1, 2, 1, 2));
    assertThat(d.mean().toArray()).containsExactly(1f, 2f);
    assertThat(d.logVariance().orElseThrow().toArray()).containsExactly(-30f, 20f);
    assertThat(d.mode()).isSameAs(d.mean());
  }

  @Test
  void sampleIsMeanPlusStdTimesOneDraw() {
    Tensor mean = Tensor.of(new float[] {1, -1}, 1, 1, 1, 2);
    Tensor logvar = Tensor.of(new float[] {(float) Math.log(4), 0}, 1, 1, 1, 2);
    LatentDistribution d = new LatentDistribution(mean, Optional.of(logvar));
    GaussianTestRandom a = new GaussianTestRandom(3);
    Tensor eps = new GaussianTestRandom(3).randn(1, 1, 1, 2);
    Tensor z = d.sample(a);
    assertThat(a.draws()).isEqualTo(1);
    assertThat((double) z.get(0)).isCloseTo(1 + 2 * eps.get(0), within(1e-6));
    assertThat((double) z.get(1)).isCloseTo(-1 + eps.get(1), within(1e-6));
  }

  @Test
  void deterministicDrawsNothing() {
    GaussianTestRandom rng = new GaussianTestRandom(1);
    Tensor m = Tensor.zeros(1, 4, 2, 2);
    assertThat(LatentDistribution.deterministic(m).sample(rng)).isSameAs(m);
    assertThat(rng.draws()).isZero();
  }

  @Test
  void badShapesAreRejected() {
    assertThatThrownBy(() -> LatentDistribution.fromMoments(Tensor.zeros(1, 3, 2, 2)))
        .hasMessageContaining("moments must be [B, 2C, h, w]");
    assertThatThrownBy(() -> new LatentDistribution(Tensor.zeros(1, 4, 2, 2), Optional.of(Tensor.zeros(1, 4, 2, 3))))
        .hasMessageContaining("latent log-variance");
  }
}
