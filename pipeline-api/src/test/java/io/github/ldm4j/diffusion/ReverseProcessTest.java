package io.github.ldm4j.diffusion;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.github.ldm4j.model.Parameterization;
import io.github.ldm4j.schedule.BetaSchedule;
import io.github.ldm4j.schedule.DiffusionSchedule;
import io.github.ldm4j.tensor.Tensor;
import io.github.ldm4j.testsupport.GaussianTestRandom;
import org.junit.jupiter.api.Test;

class ReverseProcessTest {

  /** sqrt_linear(0.1, 0.3), T = 3: β = 0.1, 0.2, 0.3; ᾱ = 0.9, 0.72, 0.504. */
  private static final DiffusionSchedule TINY = DiffusionSchedule.of(new BetaSchedule.SqrtLinear(0.1, 0.3), 3);
  private static final ReverseProcess P = new ReverseProcess(TINY);

  // t = 2: coef1 = 0.3·√0.72/0.496, coef2 = 0.28·√0.7/0.496, posterior variance 21/124.
  private static final double C1 = 0.3 * Math.sqrt(0.72) / 0.496;
  private static final double C2 = 0.28 * Math.sqrt(0.7) / 0.496;

  private static Tensor scalar(float v) {
    return Tensor.of(new float[] {v}, 1, 1);
  }

  @Test
  void epsOutputByHand() {
    // x_t = 1, ε̂ = 0.5 at t = 2: x̂0 = √(1/0.504)·1 − √(1/0.504 − 1)·0.5; mean = C1·x̂0 + C2·1.
    ModelMeanVariance mv = P.pMeanVariance(Parameterization.EPS, scalar(0.5f), scalar(1), new int[] {2}, false);
    double x0 = Math.sqrt(1 / 0.504) - Math.sqrt(1 / 0.504 - 1) * 0.5;
    assertThat((double) mv.predictedX0().get(0)).isCloseTo(x0, within(1e-6));
    assertThat((double) mv.distribution().mean().get(0)).isCloseTo(C1 * x0 + C2, within(1e-6));
    assertThat(mv.distribution().variance(0)).isCloseTo(21.0 / 124, within(1e-15));
    assertThat(mv.distribution().logVariance(0)).isEqualTo(TINY.posteriorLogVarianceClipped(2));
  }

  @Test
  void x0OutputByHand() {
    ModelMeanVariance mv = P.pMeanVariance(Parameterization.X0, scalar(0.25f), scalar(1), new int[] {2}, false);
    assertThat(mv.predictedX0().get(0)).isEqualTo(0.25f);
    assertThat((double) mv.distribution().mean().get(0)).isCloseTo(C1 * 0.25 + C2, within(1e-6));
  }

  @Test
  void vOutputByHand() {
    // x̂0 = √ᾱ·x_t − √(1 − ᾱ)·v = √0.504·1 − √0.496·0.5
    ModelMeanVariance mv = P.pMeanVariance(Parameterization.V, scalar(0.5f), scalar(1), new int[] {2}, false);
    double x0 = Math.sqrt(0.504) - Math.sqrt(0.496) * 0.5;
    assertThat((double) mv.predictedX0().get(0)).isCloseTo(x0, within(1e-6));
    assertThat((double) mv.distribution().mean().get(0)).isCloseTo(C1 * x0 + C2, within(1e-6));
  }

  @Test
  void clipDenoisedClampsTheX0EstimateBeforeThePosterior() {
    // x̂0 = 3 clamps to 1, −7 to −1; the posterior mean uses the clamped value.
    Tensor out = Tensor.of(new float[] {3, -7}, 2, 1);
    Tensor x = Tensor.of(new float[] {1, 1}, 2, 1);
    ModelMeanVariance mv = P.pMeanVariance(Parameterization.X0, out, x, new int[] {2, 2}, true);
    assertThat(mv.predictedX0().toArray()).containsExactly(1f, -1f);
    assertThat((double) mv.distribution().mean().get(1)).isCloseTo(-C1 + C2, within(1e-6));
    assertThat(ReverseProcess.clipDenoised(Tensor.of(new float[] {-2, 0.5f, 1.5f}, 3)).toArray())
        .containsExactly(-1f, 0.5f, 1f);
  }

  @Test
  void pSampleAddsScaledNoiseExceptAtTimestepZero() {
    // item 0 at t = 2: mean + exp(½·log(21/124))·ε = mean + √(21/124)·ε; item 1 at t = 0: the mean.
    Tensor x = Tensor.of(new float[] {1, 1}, 2, 1);
    Tensor out = Tensor.of(new float[] {0.5f, 0.5f}, 2, 1);
    int[] t = {2, 0};
    ModelMeanVariance mv = P.pMeanVariance(Parameterization.X0, out, x, t, false);
    Tensor noise = Tensor.of(new float[] {2, 5}, 2, 1);
    Tensor s = P.pSample(mv, t, noise);
    assertThat((double) s.get(0)).isCloseTo(mv.distribution().mean().get(0) + Math.sqrt(21.0 / 124) * 2, within(1e-6));
    assertThat(s.get(1)).isEqualTo(mv.distribution().mean().get(1));
    // At t = 0 the posterior is a point mass at x̂0 (coef1 = 1, coef2 = 0).
    assertThat((double) s.get(1)).isCloseTo(0.5, within(1e-7));
  }

  @Test
  void pSampleWithAModelDrawsOneNoiseTensorPerCallEvenAtZero() {
    GaussianTestRandom rng = new GaussianTestRandom(1);
    Tensor x = Tensor.of(new float[] {0.3f, -0.2f}, 1, 2);
    ReverseProcess.Step step = P.pSample((xx, t) -> Tensor.zeros(xx.shape()), Parameterization.X0, x, 0, rng, false);
    assertThat(rng.draws()).isEqualTo(1);
    assertThat(step.sample().toArray()).containsExactly(0f, 0f);
    assertThat(step.predictedX0().toArray()).containsExactly(0f, 0f);
  }

  @Test
  void badModelOutputsAreReported() {
    GaussianTestRandom rng = new GaussianTestRandom(1);
    Tensor x = Tensor.zeros(1, 2);
    assertThatThrownBy(() -> P.pSample((xx, t) -> Tensor.zeros(1, 3), Parameterization.EPS, x, 1, rng, false))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("the model returned shape [1, 3] for x of shape [1, 2] at timestep 1");
    assertThatThrownBy(() -> P.pSample((xx, t) -> Tensor.full(xx.shape(), Float.NaN), Parameterization.EPS, x, 1, rng, false))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("the model output at timestep 1 contains non-finite values");
    assertThatThrownBy(() -> P.pSample((xx, t) -> xx, Parameterization.EPS, x, 3, rng, false))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("t[0] = 3 is outside [0, 3)");
    assertThatThrownBy(() -> P.pMeanVariance(Parameterization.X0, Tensor.zeros(1, 3), x, new int[] {1}, false))
        .hasMessage("model output: shape [1, 3] does not match [1, 2]");
    assertThatThrownBy(() -> P.pSample(P.pMeanVariance(Parameterization.X0, x, x, new int[] {1}, false), new int[] {1}, Tensor.zeros(2, 2)))
        .hasMessage("noise: shape [2, 2] does not match [1, 2]");
  }
}
