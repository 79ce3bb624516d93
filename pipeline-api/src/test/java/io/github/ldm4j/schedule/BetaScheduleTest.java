package io.github.ldm4j.schedule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class BetaScheduleTest {

  private static final double EXACT = 1e-15;

  // facts.md §2, "Check values for SD v1 (linear, 0.00085 -> 0.012, T = 1000)" and the cosine row:
  // computed by CompVis make_beta_schedule / register_schedule in float64.
  private static final double SD_ALPHA_BAR_0 = 0.99915;
  private static final double SD_ALPHA_BAR_499 = 0.27766965045646763;
  private static final double SD_ALPHA_BAR_999 = 0.004660098513077238;
  private static final double SD_SIGMA_MIN = 0.029167158151720367;
  private static final double SD_SIGMA_MAX = 14.614641229333639;
  private static final double COSINE_ALPHA_BAR_0 = 0.999958715775178;
  private static final double COSINE_ALPHA_BAR_999 = 2.4287669070348542e-09;

  @Test
  void stableDiffusionV1MatchesTheReferenceValues() {
    DiffusionSchedule s = DiffusionSchedule.stableDiffusionV1();
    assertThat(s.timesteps()).isEqualTo(1000);
    assertThat(s.alphaBar(0)).isCloseTo(SD_ALPHA_BAR_0, within(1e-12));
    assertThat(s.alphaBar(499)).isCloseTo(SD_ALPHA_BAR_499, within(1e-12));
    assertThat(s.alphaBar(999)).isCloseTo(SD_ALPHA_BAR_999, within(1e-12));
    assertThat(s.sigmaMin()).isCloseTo(SD_SIGMA_MIN, within(1e-12));
    assertThat(s.sigmaMax()).isCloseTo(SD_SIGMA_MAX, within(1e-12));
  }

  @Test
  void cosineMatchesTheReferenceValues() {
    DiffusionSchedule s = DiffusionSchedule.of(new BetaSchedule.Cosine(BetaSchedule.Cosine.DEFAULT_S), 1000);
    assertThat(s.alphaBar(0)).isCloseTo(COSINE_ALPHA_BAR_0, within(1e-12));
    assertThat(s.alphaBar(999)).isCloseTo(COSINE_ALPHA_BAR_999, within(1e-12));
  }

  @Test
  void cosineFollowsItsDefinition() {
    // ᾱ(t) = f(t)/f(0) with f(t) = cos(((t/T + s)/(1 + s))·π/2)², so ᾱ[t] (after step t) = f(t+1)/f(0)
    // as long as no beta was clipped at 0.999 (only the very last ones can be).
    int n = 50;
    double s = 8e-3;
    double[] b = new BetaSchedule.Cosine(s).betas(n);
    double f0 = Math.pow(Math.cos(s / (1 + s) * Math.PI / 2), 2);
    double cum = 1;
    for (int t = 0; t < n - 1; t++) {
      cum *= 1 - b[t];
      double ft = Math.pow(Math.cos(((t + 1.0) / n + s) / (1 + s) * Math.PI / 2), 2);
      assertThat(cum).as("ᾱ[%d]", t).isCloseTo(ft / f0, within(1e-13));
    }
    assertThat(b[n - 1]).as("last beta clipped to 0.999 (f(T) = cos(π/2)² ≈ 0)").isEqualTo(0.999);
  }

  @Test
  void linearIsTheSquareOfALinspaceOfRoots() {
    // linear(0.01, 0.09, T = 3): √ values 0.1, 0.2, 0.3 -> betas 0.01, 0.04, 0.09.
    double[] b = new BetaSchedule.Linear(0.01, 0.09).betas(3);
    assertThat(b[0]).isCloseTo(0.01, within(EXACT));
    assertThat(b[1]).isCloseTo(0.04, within(EXACT));
    assertThat(b[2]).isCloseTo(0.09, within(EXACT));
  }

  @Test
  void sqrtLinearByHand() {
    // sqrt_linear(0.1, 0.3, T = 3) = linspace(0.1, 0.3, 3) = 0.1, 0.2, 0.3 (plain linear).
    // alphas 0.9, 0.8, 0.7; ᾱ = 0.9, 0.72, 0.504; ᾱ_prev = 1, 0.9, 0.72.
    // posterior variance β·(1 − ᾱ_prev)/(1 − ᾱ): 0·…, 0.2·0.1/0.28 = 1/14, 0.3·0.28/0.496 = 21/124.
    // coef1 = β·√ᾱ_prev/(1 − ᾱ): t=1: 0.2·√0.9/0.28; coef2 = (1 − ᾱ_prev)·√α/(1 − ᾱ): t=1: 0.1·√0.8/0.28.
    DiffusionSchedule s = DiffusionSchedule.of(new BetaSchedule.SqrtLinear(0.1, 0.3), 3);
    assertThat(s.betas()).containsExactly(new double[] {0.1, 0.2, 0.3}, within(EXACT));
    assertThat(s.alphasCumprod()).containsExactly(new double[] {0.9, 0.72, 0.504}, within(EXACT));
    assertThat(s.alphasCumprodPrev()).containsExactly(new double[] {1, 0.9, 0.72}, within(EXACT));
    assertThat(s.posteriorVariance(0)).isZero();
    assertThat(s.posteriorVariance(1)).isCloseTo(1.0 / 14, within(EXACT));
    assertThat(s.posteriorVariance(2)).isCloseTo(21.0 / 124, within(EXACT));
    assertThat(s.posteriorMeanCoef1(1)).isCloseTo(0.2 * Math.sqrt(0.9) / 0.28, within(EXACT));
    assertThat(s.posteriorMeanCoef2(1)).isCloseTo(0.1 * Math.sqrt(0.8) / 0.28, within(EXACT));
    // lvlb (eps) = β²/(2·var·α·(1 − ᾱ)): t=2: 0.09/(2·(21/124)·0.7·0.496); index 0 copies index 1.
    assertThat(s.lvlbWeightEps(2)).isCloseTo(0.09 / (2 * (21.0 / 124) * 0.7 * 0.496), within(1e-14));
    assertThat(s.lvlbWeightEps(1)).isCloseTo(0.04 / (2 * (1.0 / 14) * 0.8 * 0.28), within(1e-14));
    assertThat(s.lvlbWeightEps(0)).isEqualTo(s.lvlbWeightEps(1));
  }

  @Test
  void sqrtByHand() {
    // sqrt(0.04, 0.36, T = 3) = linspace(0.04, 0.36, 3)^0.5 = √0.04, √0.20, √0.36 = 0.2, √0.2, 0.6.
    // ᾱ = 0.8, 0.8·(1 − √0.2), 0.8·(1 − √0.2)·0.4.
    DiffusionSchedule s = DiffusionSchedule.of(new BetaSchedule.Sqrt(0.04, 0.36), 3);
    double r = Math.sqrt(0.2);
    assertThat(s.betas()).containsExactly(new double[] {0.2, r, 0.6}, within(EXACT));
    assertThat(s.alphaBar(0)).isCloseTo(0.8, within(EXACT));
    assertThat(s.alphaBar(1)).isCloseTo(0.8 * (1 - r), within(EXACT));
    assertThat(s.alphaBar(2)).isCloseTo(0.8 * (1 - r) * 0.4, within(EXACT));
    // posterior variance t=1: √0.2·(1 − 0.8)/(1 − 0.8(1 − √0.2)).
    assertThat(s.posteriorVariance(1)).isCloseTo(r * 0.2 / (1 - 0.8 * (1 - r)), within(EXACT));
  }

  @Test
  void linspaceIsBitForBitTorchs() {
    // ATen's CPU linspace kernel: step = (end − start)/(n − 1); index i < n/2 is start + step·i, the
    // others end − step·(n − 1 − i). A plain start + step·i differs in the last bit at 86 of these
    // 1000 points, so this pins the reference's evaluation order, not just the values to 1e-15.
    int n = 1000;
    double start = 0.00085;
    double end = 0.012;
    double[] b = new BetaSchedule.SqrtLinear(start, end).betas(n);
    double step = (end - start) / (n - 1);
    for (int i = 0; i < n; i++) {
      double torch = i < n / 2 ? start + step * i : end - step * (n - 1 - i);
      assertThat(b[i]).as("linspace[%d]", i).isEqualTo(torch);
    }
    assertThat(b[0]).isEqualTo(start);
    assertThat(b[n - 1]).isEqualTo(end);
  }

  @Test
  void diffusersNamesMapOntoCompVisSchedules() {
    assertThat(BetaSchedule.fromDiffusers("scaled_linear", 0.00085, 0.012))
        .isEqualTo(new BetaSchedule.Linear(0.00085, 0.012))
        .isEqualTo(BetaSchedule.stableDiffusionV1());
    assertThat(BetaSchedule.fromDiffusers("linear", 1e-4, 0.02)).isEqualTo(new BetaSchedule.SqrtLinear(1e-4, 0.02));
    assertThat(BetaSchedule.fromDiffusers(" SquaredCos_Cap_V2 ", 0, 0)).isEqualTo(new BetaSchedule.Cosine(8e-3));
    assertThat(BetaSchedule.fromCompVis("linear", 0.00085, 0.012)).isEqualTo(BetaSchedule.stableDiffusionV1());
    assertThat(BetaSchedule.fromCompVis("sqrt_linear", 0.1, 0.2)).isEqualTo(new BetaSchedule.SqrtLinear(0.1, 0.2));
    assertThat(BetaSchedule.fromCompVis("sqrt", 0.1, 0.2)).isEqualTo(new BetaSchedule.Sqrt(0.1, 0.2));
    assertThat(BetaSchedule.fromCompVis("cosine", 0, 0)).isEqualTo(new BetaSchedule.Cosine(8e-3));
    assertThat(BetaSchedule.stableDiffusionV1().compvisName()).isEqualTo("linear");
  }

  @Test
  void unknownNamesAreRejectedWithTheKnownOnes() {
    assertThatThrownBy(() -> BetaSchedule.fromCompVis("quadratic", 0.1, 0.2))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'quadratic'")
        .hasMessageContaining("linear, cosine, sqrt_linear, sqrt");
    assertThatThrownBy(() -> BetaSchedule.fromDiffusers(null, 0.1, 0.2))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("scaled_linear, linear, squaredcos_cap_v2");
  }

  @Test
  void badRangesAndCountsAreRejected() {
    assertThatThrownBy(() -> new BetaSchedule.Linear(0, 0.1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("linear schedule needs 0 < start, end < 1");
    assertThatThrownBy(() -> new BetaSchedule.SqrtLinear(0.1, Double.NaN)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new BetaSchedule.Sqrt(0.1, 1.5)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new BetaSchedule.Cosine(-1)).hasMessageContaining("offset s");
    assertThatThrownBy(() -> new BetaSchedule.Linear(0.1, 0.2).betas(1)).hasMessageContaining("at least 2 timesteps");
    assertThatThrownBy(() -> new BetaSchedule.Given(new double[] {0.1, 1.0})).hasMessageContaining("beta[1] = 1.0");
    assertThatThrownBy(() -> new BetaSchedule.Given(new double[0])).hasMessageContaining("must not be empty");
    assertThatThrownBy(() -> new BetaSchedule.Given(new double[] {0.1, 0.2}).betas(3))
        .hasMessageContaining("2 entries but 3 timesteps");
    assertThatThrownBy(() -> DiffusionSchedule.of(BetaSchedule.stableDiffusionV1(), 1))
        .hasMessageContaining("timesteps must be >= 2");
    assertThatThrownBy(() -> DiffusionSchedule.of(BetaSchedule.stableDiffusionV1(), 10, 1.5))
        .hasMessageContaining("v_posterior must be in [0, 1]");
  }

  @Test
  void givenBetasAreCopied() {
    double[] betas = {0.1, 0.2};
    BetaSchedule.Given g = new BetaSchedule.Given(betas);
    betas[0] = 0.5;
    assertThat(g.values()).containsExactly(0.1, 0.2);
    assertThat(g).isEqualTo(new BetaSchedule.Given(new double[] {0.1, 0.2}));
    assertThat(DiffusionSchedule.ofGivenBetas(new double[] {0.1, 0.2}, 0).alphaBar(1)).isCloseTo(0.72, within(EXACT));
  }
}
