package io.github.ldm4j.schedule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.github.ldm4j.testsupport.SeededCases;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class DiffusionScheduleTest {

  private static final DiffusionSchedule SD = DiffusionSchedule.stableDiffusionV1();

  static Stream<Arguments> schedules() {
    List<BetaSchedule> kinds = List.of(
        BetaSchedule.stableDiffusionV1(),
        new BetaSchedule.Cosine(8e-3),
        new BetaSchedule.SqrtLinear(1e-4, 2e-2),
        new BetaSchedule.Sqrt(1e-4, 2e-2));
    return kinds.stream().flatMap(k -> Stream.of(Arguments.of(k, 0.0), Arguments.of(k, 0.3)));
  }

  private static void close(String what, int t, double actual, double expected) {
    assertThat(actual).as("%s[%d]", what, t).isCloseTo(expected, within(1e-12 * Math.max(1, Math.abs(expected))));
  }

  /** Every register_schedule buffer against its defining formula, recomputed here from the betas. */
  @ParameterizedTest(name = "{0}, v_posterior={1}")
  @MethodSource("schedules")
  void everyBufferMatchesItsDefinition(BetaSchedule kind, double v) {
    int n = 1000;
    DiffusionSchedule s = DiffusionSchedule.of(kind, n, v);
    double[] betas = kind.betas(n);
    double logCum = 0; // ᾱ as exp(Σ log α): a different evaluation order from the class's running product
    double prev = 1;
    for (int t = 0; t < n; t++) {
      double b = betas[t];
      double a = 1 - b;
      logCum += Math.log(a);
      double ab = Math.exp(logCum);
      close("beta", t, s.beta(t), b);
      close("alpha", t, s.alpha(t), a);
      assertThat(s.alphaBar(t)).as("alphaBar[%d]", t).isCloseTo(ab, within(1e-11 * ab));
      ab = s.alphaBar(t); // keep the comparison below about the derived buffers, not the cumprod
      close("alphaBarPrev", t, s.alphaBarPrev(t), prev);
      close("sqrtAlphaBar", t, s.sqrtAlphaBar(t), Math.sqrt(ab));
      close("sqrtOneMinusAlphaBar", t, s.sqrtOneMinusAlphaBar(t), Math.sqrt(1 - ab));
      close("logOneMinusAlphaBar", t, s.logOneMinusAlphaBar(t), Math.log(1 - ab));
      close("sqrtRecipAlphaBar", t, s.sqrtRecipAlphaBar(t), Math.sqrt(1 / ab));
      close("sqrtRecipm1AlphaBar", t, s.sqrtRecipm1AlphaBar(t), Math.sqrt(1 / ab - 1));
      double var = (1 - v) * b * (1 - prev) / (1 - ab) + v * b;
      close("posteriorVariance", t, s.posteriorVariance(t), var);
      close("posteriorLogVarianceClipped", t, s.posteriorLogVarianceClipped(t), Math.log(Math.max(var, 1e-20)));
      close("posteriorMeanCoef1", t, s.posteriorMeanCoef1(t), b * Math.sqrt(prev) / (1 - ab));
      close("posteriorMeanCoef2", t, s.posteriorMeanCoef2(t), (1 - prev) * Math.sqrt(a) / (1 - ab));
      if (t > 0) {
        close("lvlbWeightEps", t, s.lvlbWeightEps(t), b * b / (2 * var * a * (1 - ab)));
        close("lvlbWeightX0", t, s.lvlbWeightX0(t), 0.5 * Math.sqrt(ab) / (2 - ab));
      }
      close("sigma", t, s.sigma(t), Math.sqrt((1 - ab) / ab));
      prev = ab;
    }
    assertThat(s.lvlbWeightEps(0)).isEqualTo(s.lvlbWeightEps(1));
    assertThat(s.lvlbWeightX0(0)).isEqualTo(s.lvlbWeightX0(1));
  }

  /**
   * Identities of the Gaussian posterior q(x_{t−1} | x_t, x_0), which Bayes' rule gives from the
   * prior q(x_{t−1} | x_0) = N(√ᾱ_{t−1}·x_0, 1 − ᾱ_{t−1}) and the likelihood q(x_t | x_{t−1}) =
   * N(√α_t·x_{t−1}, β_t): precisions add, means are precision-weighted.
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("schedules")
  void posteriorSatisfiesBayesRule(BetaSchedule kind, double v) {
    if (v != 0) {
      return; // the identities hold for the true posterior, v_posterior = 0
    }
    DiffusionSchedule s = DiffusionSchedule.of(kind, 1000);
    for (int t = 1; t < 1000; t++) {
      double b = s.beta(t);
      double a = s.alpha(t);
      double abPrev = s.alphaBarPrev(t);
      double ab = s.alphaBar(t);
      double var = s.posteriorVariance(t);
      // 1/var = 1/(1 − ᾱ_{t−1}) + α_t/β_t
      close("1/posteriorVariance", t, 1 / var, 1 / (1 - abPrev) + a / b);
      // mean = var·(√ᾱ_{t−1}/(1 − ᾱ_{t−1})·x_0 + √α_t/β_t·x_t)
      close("coef1 (Bayes)", t, s.posteriorMeanCoef1(t), var * Math.sqrt(abPrev) / (1 - abPrev));
      close("coef2 (Bayes)", t, s.posteriorMeanCoef2(t), var * Math.sqrt(a) / b);
      // A noise-free x_t = √ᾱ_t·x_0 has posterior mean √ᾱ_{t−1}·x_0.
      close("coef1 + coef2·√ᾱ", t, s.posteriorMeanCoef1(t) + s.posteriorMeanCoef2(t) * s.sqrtAlphaBar(t), Math.sqrt(abPrev));
      // Marginal consistency: drawing x_t ~ q(x_t|x_0) then x_{t−1} ~ posterior gives variance 1 − ᾱ_{t−1}.
      close("coef2²(1 − ᾱ) + var", t, Math.pow(s.posteriorMeanCoef2(t), 2) * (1 - ab) + var, 1 - abPrev);
      // β̃_t ≤ β_t, and the eps lvlb weight simplifies to β/(2·α·(1 − ᾱ_{t−1})).
      assertThat(var).isLessThanOrEqualTo(b);
      close("lvlbWeightEps (simplified)", t, s.lvlbWeightEps(t), b / (2 * a * (1 - abPrev)));
      // σ² = 1/ᾱ − 1, √ᾱ·√(1/ᾱ) = 1, √ᾱ² + √(1 − ᾱ)² = 1.
      close("σ² vs √(1/ᾱ − 1)²", t, s.sigma(t) * s.sigma(t), Math.pow(s.sqrtRecipm1AlphaBar(t), 2));
      close("√ᾱ·√(1/ᾱ)", t, s.sqrtAlphaBar(t) * s.sqrtRecipAlphaBar(t), 1);
      close("ᾱ + (1 − ᾱ)", t, Math.pow(s.sqrtAlphaBar(t), 2) + Math.pow(s.sqrtOneMinusAlphaBar(t), 2), 1);
    }
    // At t = 0 the posterior is a point mass at x_0: variance 0, clipped log = log(1e-20), coef1 = 1.
    assertThat(s.posteriorVariance(0)).isZero();
    assertThat(s.posteriorLogVarianceClipped(0)).isCloseTo(Math.log(1e-20), within(1e-12));
    assertThat(s.posteriorMeanCoef1(0)).isCloseTo(1, within(1e-12));
    assertThat(s.posteriorMeanCoef2(0)).isZero();
  }

  @Test
  void vPosteriorMixesThePosteriorVarianceWithBeta() {
    DiffusionSchedule s0 = SD;
    DiffusionSchedule s1 = DiffusionSchedule.of(BetaSchedule.stableDiffusionV1(), 1000, 1.0);
    DiffusionSchedule sh = DiffusionSchedule.of(BetaSchedule.stableDiffusionV1(), 1000, 0.25);
    for (int t : new int[] {0, 1, 500, 999}) {
      assertThat(s1.posteriorVariance(t)).isCloseTo(s1.beta(t), within(1e-15));
      assertThat(sh.posteriorVariance(t))
          .isCloseTo(0.75 * s0.posteriorVariance(t) + 0.25 * s0.beta(t), within(1e-15));
    }
    assertThat(sh.posteriorLogVarianceClipped(0)).isCloseTo(Math.log(0.25 * SD.beta(0)), within(1e-12));
    assertThat(sh.vPosterior()).isEqualTo(0.25);
  }

  @Test
  void sigmaAndTimestepConvertBothWaysOnTheGrid() {
    for (int t = 0; t < 1000; t++) {
      assertThat(SD.tToSigma(t)).as("tToSigma(%d)", t).isCloseTo(SD.sigma(t), within(1e-12 * SD.sigma(t)));
      assertThat(SD.sigmaToT(SD.sigma(t))).as("sigmaToT(sigma(%d))", t).isCloseTo(t, within(1e-9));
    }
    assertThat(SD.sigmas()).hasSize(1000).isSorted();
  }

  @Test
  void fractionalTimestepsInterpolateLogSigma() {
    // log σ is linear in t between grid points: σ(t + ½) is the geometric mean of the neighbours,
    // σ(t + ¼) = σ_t^¾·σ_{t+1}^¼.
    for (int t : new int[] {0, 1, 250, 998}) {
      double lo = SD.sigma(t);
      double hi = SD.sigma(t + 1);
      assertThat(SD.tToSigma(t + 0.5)).isCloseTo(Math.sqrt(lo * hi), within(1e-12 * hi));
      assertThat(SD.tToSigma(t + 0.25)).isCloseTo(Math.pow(lo, 0.75) * Math.pow(hi, 0.25), within(1e-12 * hi));
      assertThat(SD.sigmaToT(Math.sqrt(lo * hi))).isCloseTo(t + 0.5, within(1e-9));
    }
    double t = 123.4;
    assertThat(SD.alphaBarAt(t)).isCloseTo(DiffusionSchedule.alphaBarForSigma(SD.tToSigma(t)), within(1e-15));
    assertThat(SD.alphaBarAt(123)).isCloseTo(SD.alphaBar(123), within(1e-14));
    assertThat(DiffusionSchedule.sigmaForAlphaBar(SD.alphaBar(7))).isCloseTo(SD.sigma(7), within(1e-14));
  }

  /** Property over 300 seeded random t in [0, 999] (plus both ends): σ → t inverts t → σ. */
  @Test
  void sigmaToTInvertsTToSigma() {
    SplittableRandom r = SeededCases.random("sigmaToTInvertsTToSigma");
    for (int i = 0; i < 302; i++) {
      double t = i == 0 ? 0 : i == 1 ? 999 : r.nextDouble(0, 999);
      assertThat(SD.sigmaToT(SD.tToSigma(t))).as("t = %s", t).isCloseTo(t, within(1e-8));
    }
  }

  /** Property over 300 seeded log-uniform σ in [σ_min, σ_max]: t → σ inverts σ → t. */
  @Test
  void tToSigmaInvertsSigmaToT() {
    SplittableRandom r = SeededCases.random("tToSigmaInvertsSigmaToT");
    for (int i = 0; i < 300; i++) {
      double sigma = SD.sigmaMin() * Math.pow(SD.sigmaMax() / SD.sigmaMin(), r.nextDouble());
      assertThat(SD.tToSigma(SD.sigmaToT(sigma))).as("sigma = %s", sigma).isCloseTo(sigma, within(1e-11 * sigma));
    }
  }

  @Test
  void integerAccessorsMatchArrays() {
    double[] betas = SD.betas();
    double[] ab = SD.alphasCumprod();
    double[] abPrev = SD.alphasCumprodPrev();
    double[] sigmas = SD.sigmas();
    for (int t = 0; t < 1000; t++) {
      assertThat(betas[t]).isEqualTo(SD.beta(t));
      assertThat(ab[t]).isEqualTo(SD.alphaBar(t));
      assertThat(abPrev[t]).isEqualTo(SD.alphaBarPrev(t));
      assertThat(sigmas[t]).isEqualTo(SD.sigma(t));
    }
  }

  @Test
  void sigmasOutsideTheTrainedRangeClamp() {
    assertThat(SD.sigmaToT(1e-3)).isZero();
    assertThat(SD.sigmaToT(100)).isEqualTo(999);
  }

  @Test
  void outOfRangeArgumentsAreRejected() {
    assertThatThrownBy(() -> SD.alphaBar(1000))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("timestep 1000 is outside [0, 1000)");
    assertThatThrownBy(() -> SD.beta(-1)).hasMessageContaining("timestep -1 is outside [0, 1000)");
    assertThatThrownBy(() -> SD.tToSigma(999.5)).hasMessageContaining("outside [0, 999]");
    assertThatThrownBy(() -> SD.tToSigma(Double.NaN)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> SD.sigmaToT(0)).hasMessageContaining("sigma must be finite and > 0");
    assertThatThrownBy(() -> SD.sigmaToT(Double.POSITIVE_INFINITY)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void arraysAreDefensiveCopies() {
    double[] b = SD.betas();
    b[0] = 42;
    assertThat(SD.beta(0)).isNotEqualTo(42);
    assertThat(SD.toString()).contains("linear").contains("T=1000");
  }
}
