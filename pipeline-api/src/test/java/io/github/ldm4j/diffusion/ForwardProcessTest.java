package io.github.ldm4j.diffusion;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.github.ldm4j.model.Parameterization;
import io.github.ldm4j.schedule.BetaSchedule;
import io.github.ldm4j.schedule.DiffusionSchedule;
import io.github.ldm4j.tensor.Tensor;
import io.github.ldm4j.testsupport.GaussianTestRandom;
import io.github.ldm4j.testsupport.SeededCases;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ForwardProcessTest {

  private static final DiffusionSchedule SD = DiffusionSchedule.stableDiffusionV1();
  private static final ForwardProcess Q = new ForwardProcess(SD);

  /** sqrt_linear(0.1, 0.3), T = 3: ᾱ = 0.9, 0.72, 0.504 (see BetaScheduleTest.sqrtLinearByHand). */
  private static final DiffusionSchedule TINY = DiffusionSchedule.of(new BetaSchedule.SqrtLinear(0.1, 0.3), 3);

  @Test
  void qSampleByHand() {
    // item 0 at t = 1 (ᾱ = 0.72), item 1 at t = 2 (ᾱ = 0.504):
    // x_t = √ᾱ·x0 + √(1 − ᾱ)·ε.
    Tensor x0 = Tensor.of(new float[] {1, -2, 0.5f, 3}, 2, 2);
    Tensor eps = Tensor.of(new float[] {0.5f, 1, -1, 0}, 2, 2);
    Tensor xt = new ForwardProcess(TINY).qSample(x0, new int[] {1, 2}, eps);
    double a = Math.sqrt(0.72);
    double b = Math.sqrt(0.28);
    double c = Math.sqrt(0.504);
    double d = Math.sqrt(0.496);
    assertThat((double) xt.get(0)).isCloseTo(a * 1 + b * 0.5, within(1e-7));
    assertThat((double) xt.get(1)).isCloseTo(a * -2 + b * 1, within(1e-7));
    assertThat((double) xt.get(2)).isCloseTo(c * 0.5 + d * -1, within(1e-7));
    assertThat((double) xt.get(3)).isCloseTo(c * 3, within(1e-7));
  }

  /**
   * q(x_t | x0) = N(√ᾱ_t·x0, 1 − ᾱ_t): over N = 16384 noise draws the sample mean has standard
   * error √((1 − ᾱ)/N) and the sample variance ≈ (1 − ᾱ)·√(2/N); both are asserted within 5
   * standard errors (a false alarm about once in 10⁶ cases). 60 seeded cases: random t in [0, 999]
   * (both ends included), x0 in [−2, 2], noise seed.
   */
  @ParameterizedTest(name = "t={0}, x0={1}, seed={2}")
  @MethodSource("qSampleCases")
  void qSampleStatisticsMatchTheFormula(int t, double x0Value, long seed) {
    int n = 16384;
    Tensor x0 = Tensor.full(io.github.ldm4j.tensor.Shape.of(1, n), (float) x0Value);
    Tensor eps = new GaussianTestRandom(seed).randn(1, n);
    Tensor xt = Q.qSample(x0, new int[] {t}, eps);
    double ab = SD.alphaBar(t);
    double var = 1 - ab;
    double meanSe = Math.sqrt(var / n);
    double varSe = var * Math.sqrt(2.0 / (n - 1));
    assertThat(xt.mean()).isCloseTo(Math.sqrt(ab) * (float) x0Value, within(5 * meanSe + 1e-6));
    assertThat(xt.variance() * n / (n - 1)).isCloseTo(var, within(5 * varSe));
  }

  static Stream<Arguments> qSampleCases() {
    SplittableRandom r = SeededCases.random("qSampleCases");
    return Stream.iterate(0, i -> i + 1).limit(60).map(i -> Arguments.of(
        i == 0 ? 0 : i == 1 ? 999 : r.nextInt(1000), r.nextDouble(-2, 2), r.nextLong()));
  }

  @Test
  void qMeanVarianceIsTheMarginal() {
    Tensor x0 = Tensor.of(new float[] {2, -4}, 2, 1);
    Gaussian g = Q.qMeanVariance(x0, new int[] {0, 999});
    assertThat((double) g.mean().get(0)).isCloseTo(2 * SD.sqrtAlphaBar(0), within(1e-6));
    assertThat((double) g.mean().get(1)).isCloseTo(-4 * SD.sqrtAlphaBar(999), within(1e-6));
    assertThat(g.variance()).containsExactly(1 - SD.alphaBar(0), 1 - SD.alphaBar(999));
    assertThat(g.logVariance()).containsExactly(SD.logOneMinusAlphaBar(0), SD.logOneMinusAlphaBar(999));
  }

  @Test
  void qPosteriorByHand() {
    // TINY, t = 2: coef1 = β·√ᾱ_prev/(1 − ᾱ) = 0.3·√0.72/0.496, coef2 = (1 − ᾱ_prev)·√α/(1 − ᾱ) =
    // 0.28·√0.7/0.496, variance 0.3·0.28/0.496 = 21/124; t = 0: mean = x0, variance 0, log 1e-20.
    Tensor x0 = Tensor.of(new float[] {1, 0.5f}, 2, 1);
    Tensor xt = Tensor.of(new float[] {2, -1}, 2, 1);
    Gaussian g = new ForwardProcess(TINY).qPosterior(x0, xt, new int[] {2, 0});
    double c1 = 0.3 * Math.sqrt(0.72) / 0.496;
    double c2 = 0.28 * Math.sqrt(0.7) / 0.496;
    assertThat((double) g.mean().get(0)).isCloseTo(c1 * 1 + c2 * 2, within(1e-6));
    assertThat((double) g.mean().get(1)).isCloseTo(0.5, within(1e-7));
    assertThat(g.variance(0)).isCloseTo(21.0 / 124, within(1e-15));
    assertThat(g.variance(1)).isZero();
    assertThat(g.logVariance(0)).isCloseTo(Math.log(21.0 / 124), within(1e-14));
    assertThat(g.logVariance(1)).isCloseTo(Math.log(1e-20), within(1e-12));
  }

  /** 50 seeded cases of t in [0, 999], each paired with 999 − t in the same batch. */
  @ParameterizedTest(name = "t={0}")
  @MethodSource("inversionCases")
  void predictionsInvertQSample(int t, long seed) {
    GaussianTestRandom rng = new GaussianTestRandom(seed);
    Tensor x0 = rng.randn(2, 2, 3, 3);
    Tensor eps = rng.randn(2, 2, 3, 3);
    int[] ts = {t, 999 - t};
    Tensor xt = Q.qSample(x0, ts, eps);
    // float rounding of x_t (≈ 6e-8·|x_t|) is amplified by √(1/ᾱ − 1)/√(1 − ᾱ) ≤ 14.7 for eps → x0
    assertThat(Q.predictStartFromNoise(xt, ts, eps).maxAbsDiff(x0)).isLessThan(1e-5);
    Tensor v = Q.velocity(x0, ts, eps);
    assertThat(Q.predictStartFromV(xt, ts, v).maxAbsDiff(x0)).isLessThan(1e-5);
    double[] ab = {SD.alphaBar(ts[0]), SD.alphaBar(ts[1])};
    assertThat(v.maxAbsDiff(Parameterization.V.target(x0, eps, ab))).isLessThan(1e-6);
  }

  static Stream<Arguments> inversionCases() {
    SplittableRandom r = SeededCases.random("inversionCases");
    return Stream.iterate(0, i -> i + 1).limit(50).map(i -> Arguments.of(i == 0 ? 0 : r.nextInt(1000), r.nextLong()));
  }

  @Test
  void badInputIsRejectedClearly() {
    Tensor x = Tensor.zeros(2, 3);
    assertThatThrownBy(() -> Q.qSample(x, new int[] {0}, x))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("t must hold one timestep per batch item: got 1 for a tensor of shape [2, 3]");
    assertThatThrownBy(() -> Q.qSample(x, new int[] {0, 1000}, x))
        .hasMessage("t[1] = 1000 is outside [0, 1000) in [0, 1000]");
    assertThatThrownBy(() -> Q.qSample(x, new int[] {-1, 0}, x)).hasMessageContaining("t[0] = -1 is outside [0, 1000)");
    assertThatThrownBy(() -> Q.qSample(x, new int[] {0, 1}, Tensor.zeros(2, 4)))
        .hasMessage("noise: shape [2, 4] does not match [2, 3]");
    Tensor nan = Tensor.of(new float[] {0, Float.NaN}, 1, 2);
    assertThatThrownBy(() -> Q.qSample(nan, new int[] {0}, Tensor.zeros(1, 2)))
        .hasMessageContaining("x0 contains a non-finite value (NaN) at flat index 1");
    assertThatThrownBy(() -> Q.qPosterior(Tensor.zeros(1, 2), nan, new int[] {0}))
        .hasMessageContaining("x_t contains a non-finite value");
    assertThatThrownBy(() -> Q.qSample(x, null, x)).isInstanceOf(NullPointerException.class).hasMessage("t");
  }
}
