package io.github.ldm4j.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.github.ldm4j.testsupport.GaussianTestRandom;
import io.github.ldm4j.tensor.Tensor;
import io.github.ldm4j.testsupport.SeededCases;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ParameterizationTest {

  /**
   * Float rounding of the model output (≈ 6e-8 relative, values |x| ≲ 6) amplified by at most
   * 1/√(1 − ᾱ) ≈ 34 at ᾱ = 0.99915 (SD v1's ᾱ[0]).
   */
  private static final double ROUND_TRIP = 5e-5;

  /** 100 seeded cases: ᾱ uniform over SD v1's range [ᾱ[999], ᾱ[0]] (both ends included), random tensors. */
  static Stream<Arguments> roundTripCases() {
    SplittableRandom r = SeededCases.random("roundTripCases");
    return Stream.iterate(0, i -> i + 1).limit(100).map(i -> Arguments.of(
        r.nextLong(), i == 0 ? 0.0046 : i == 1 ? 0.99915 : r.nextDouble(0.0046, 0.99915)));
  }

  @ParameterizedTest(name = "seed={0}, alphaBar={1}")
  @MethodSource("roundTripCases")
  void everyParameterizationRoundTripsThroughEpsAndX0(long seed, double alphaBar) {
    GaussianTestRandom rng = new GaussianTestRandom(seed);
    Tensor x0 = rng.randn(2, 3, 2, 2);
    Tensor eps = rng.randn(2, 3, 2, 2);
    Tensor xt = Tensor.lincomb(Math.sqrt(alphaBar), x0, Math.sqrt(1 - alphaBar), eps);
    for (Parameterization p : Parameterization.values()) {
      Tensor out = p.target(x0, eps, alphaBar);
      assertThat(p.toEps(out, xt, alphaBar).maxAbsDiff(eps)).as("%s -> eps", p).isLessThan(ROUND_TRIP);
      assertThat(p.toX0(out, xt, alphaBar).maxAbsDiff(x0)).as("%s -> x0", p).isLessThan(ROUND_TRIP);
      for (Parameterization q : Parameterization.values()) {
        // p's output -> (x0, eps) -> q's output
        Tensor converted = q.target(p.toX0(out, xt, alphaBar), p.toEps(out, xt, alphaBar), alphaBar);
        assertThat(converted.maxAbsDiff(q.target(x0, eps, alphaBar))).as("%s -> %s", p, q).isLessThan(2 * ROUND_TRIP);
      }
    }
  }

  @Test
  void perBatchConversionsEqualThePerItemOnes() {
    GaussianTestRandom rng = new GaussianTestRandom(SeededCases.MASTER_SEED);
    double[] ab = {0.9, 0.3, 0.01};
    Tensor out = rng.randn(3, 2, 2, 2);
    Tensor xt = rng.randn(3, 2, 2, 2);
    Tensor x0 = rng.randn(3, 2, 2, 2);
    for (Parameterization p : Parameterization.values()) {
      Tensor eps = p.toEps(out, xt, ab);
      Tensor x0hat = p.toX0(out, xt, ab);
      Tensor target = p.target(x0, xt, ab);
      for (int b = 0; b < 3; b++) {
        assertThat(eps.batch(b).maxAbsDiff(p.toEps(out.batch(b), xt.batch(b), ab[b]))).isLessThan(1e-6);
        assertThat(x0hat.batch(b).maxAbsDiff(p.toX0(out.batch(b), xt.batch(b), ab[b]))).isLessThan(1e-6);
        assertThat(target.batch(b).maxAbsDiff(p.target(x0.batch(b), xt.batch(b), ab[b]))).isLessThan(1e-6);
      }
    }
  }

  @Test
  void handComputedConversions() {
    // ᾱ = 0.64: √ᾱ = 0.8, √(1 − ᾱ) = 0.6. x0 = 1, ε = 2 -> x_t = 0.8 + 1.2 = 2, v = 0.8·2 − 0.6·1 = 1.
    double ab = 0.64;
    Tensor x0 = Tensor.of(new float[] {1}, 1);
    Tensor eps = Tensor.of(new float[] {2}, 1);
    Tensor xt = Tensor.of(new float[] {2}, 1);
    assertThat(Parameterization.V.target(x0, eps, ab).get(0)).isCloseTo(1f, within(1e-6f));
    assertThat(Parameterization.V.toX0(Tensor.of(new float[] {1}, 1), xt, ab).get(0)).isCloseTo(1f, within(1e-6f));
    assertThat(Parameterization.V.toEps(Tensor.of(new float[] {1}, 1), xt, ab).get(0)).isCloseTo(2f, within(1e-6f));
    // eps: x0 = (x_t − 0.6·ε)/0.8 = (2 − 1.2)/0.8 = 1
    assertThat(Parameterization.EPS.toX0(eps, xt, ab).get(0)).isCloseTo(1f, within(1e-6f));
    // x0: ε = (x_t − 0.8·x0)/0.6 = 1.2/0.6 = 2
    assertThat(Parameterization.X0.toEps(x0, xt, ab).get(0)).isCloseTo(2f, within(1e-6f));
    assertThat(Parameterization.EPS.toEps(eps, xt, ab)).isSameAs(eps);
    assertThat(Parameterization.X0.toX0(x0, xt, ab)).isSameAs(x0);
  }

  @Test
  void namesParseCompVisAndDiffusersSpellings() {
    assertThat(Parameterization.fromName("eps")).isEqualTo(Parameterization.EPS);
    assertThat(Parameterization.fromName(" Epsilon ")).isEqualTo(Parameterization.EPS);
    assertThat(Parameterization.fromName("x0")).isEqualTo(Parameterization.X0);
    assertThat(Parameterization.fromName("sample")).isEqualTo(Parameterization.X0);
    assertThat(Parameterization.fromName("v")).isEqualTo(Parameterization.V);
    assertThat(Parameterization.fromName("v_prediction")).isEqualTo(Parameterization.V);
    for (Parameterization p : Parameterization.values()) {
      assertThat(Parameterization.fromName(p.compvisName())).isEqualTo(p);
    }
    assertThatThrownBy(() -> Parameterization.fromName("score"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("unknown parameterization 'score'")
        .hasMessageContaining("eps (epsilon), x0 (sample), v (v_prediction)");
    assertThatThrownBy(() -> Parameterization.fromName(null)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void alphaBarOutsideTheOpenUnitIntervalIsRejected() {
    Tensor a = Tensor.zeros(1);
    for (double bad : new double[] {0, 1, -0.5, Double.NaN}) {
      assertThatThrownBy(() -> Parameterization.EPS.toX0(a, a, bad))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("cumulative alpha must be in (0, 1)");
    }
    assertThatThrownBy(() -> Parameterization.V.target(a, a, new double[] {0.5, 1.0}))
        .hasMessageContaining("cumulative alpha must be in (0, 1), got 1.0");
  }

  @Test
  void mismatchedShapesAreRejected() {
    assertThatThrownBy(() -> Parameterization.EPS.toX0(Tensor.zeros(2), Tensor.zeros(3), 0.5))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("does not match");
  }
}
