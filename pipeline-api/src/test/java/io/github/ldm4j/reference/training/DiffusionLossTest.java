package io.github.ldm4j.reference.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.github.ldm4j.diffusion.ForwardProcess;
import io.github.ldm4j.model.Conditioning;
import io.github.ldm4j.model.ConditioningKey;
import io.github.ldm4j.model.Denoiser;
import io.github.ldm4j.model.Parameterization;
import io.github.ldm4j.model.UNet;
import io.github.ldm4j.schedule.BetaSchedule;
import io.github.ldm4j.schedule.DiffusionSchedule;
import io.github.ldm4j.tensor.Tensor;
import io.github.ldm4j.testsupport.GaussianTestRandom;
import io.github.ldm4j.testsupport.PointMass;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class DiffusionLossTest {

  /** sqrt_linear(0.1, 0.3), T = 3: β = 0.1, 0.2, 0.3; ᾱ = 0.9, 0.72, 0.504 (BetaScheduleTest). */
  private static final DiffusionSchedule TINY = DiffusionSchedule.of(new BetaSchedule.SqrtLinear(0.1, 0.3), 3);
  private static final DiffusionSchedule SD = DiffusionSchedule.stableDiffusionV1();

  // Two items of two elements; item 0 at t = 1, item 1 at t = 2.
  private static final Tensor X0 = Tensor.of(new float[] {1, -1, 0.5f, 0}, 2, 2);
  private static final Tensor NOISE = Tensor.of(new float[] {0.5f, 0, 1, -2}, 2, 2);
  private static final Tensor OUTPUT = Tensor.of(new float[] {0.25f, 0.25f, 0, 1}, 2, 2);
  private static final int[] T = {1, 2};

  // Eps lvlb weights β²/(2·var·α·(1 − ᾱ)): t=1: 0.04/(2·(1/14)·0.8·0.28) = 0.04/0.032 = 1.25;
  // t=2: 0.09/(2·(21/124)·0.7·0.496) = 0.09/0.1176 = 75/98.
  private static final double W1 = 1.25;
  private static final double W2 = 75.0 / 98;

  private static BatchModel constant(Tensor out, List<int[]> seenT, List<Tensor> seenX) {
    return (x, t) -> {
      seenT.add(t.clone());
      seenX.add(x);
      return out;
    };
  }

  /** The exact point-mass model ({@link PointMass}) with one timestep per batch item, as {@code p_losses} calls it. */
  private static BatchModel pointMass(DiffusionSchedule schedule, Parameterization p, Tensor xStar) {
    return (x, t) -> {
      Tensor out = Tensor.zeros(x.shape());
      int stride = x.shape().strideOfFirstAxis();
      for (int b = 0; b < t.length; b++) {
        PointMass.exactInto(p, x, xStar, schedule.alphaBar(t[b]), out, b * stride, (b + 1) * stride);
      }
      return out;
    };
  }

  @Test
  void epsL2ByHand() {
    // target ε; ε − out = (0.25, −0.25 | 1, −3); per item mean squares: 0.0625 and (1 + 9)/2 = 5.
    // loss_simple = 2.53125; loss_vlb = (1.25·0.0625 + 75/98·5)/2; loss = 1·loss_simple + 0.5·loss_vlb.
    List<int[]> seenT = new ArrayList<>();
    List<Tensor> seenX = new ArrayList<>();
    DiffusionLoss loss = new DiffusionLoss(TINY, Parameterization.EPS, LossConfig.DEFAULTS.withWeights(1, 0.5));
    LossTerms l = loss.pLosses(constant(OUTPUT, seenT, seenX), X0, T, NOISE);
    assertThat(l.perItem()).containsExactly(new double[] {0.0625, 5}, within(1e-12));
    assertThat(l.lossSimple()).isCloseTo(2.53125, within(1e-12));
    double vlb = (W1 * 0.0625 + W2 * 5) / 2;
    assertThat(l.lossVlb()).isCloseTo(vlb, within(1e-12));
    assertThat(l.loss()).isCloseTo(2.53125 + 0.5 * vlb, within(1e-12));
    // The model saw q_sample(x0, t, ε) and the same timesteps.
    assertThat(seenT).singleElement().satisfies(t -> assertThat(t).containsExactly(1, 2));
    assertThat(seenX.get(0).maxAbsDiff(new ForwardProcess(TINY).qSample(X0, T, NOISE))).isZero();
  }

  @Test
  void logvarScalesTheSimpleTerm() {
    // logvar = ln 2: loss = mean(loss_b/2 + ln 2) = 2.53125/2 + ln 2 (elbo weight 0).
    DiffusionLoss loss = new DiffusionLoss(TINY, Parameterization.EPS, LossConfig.DEFAULTS.withLogvar(Math.log(2)));
    LossTerms l = loss.terms(OUTPUT, NOISE, T);
    assertThat(l.loss()).isCloseTo(2.53125 / 2 + Math.log(2), within(1e-12));
    assertThat(l.lossSimple()).as("loss_simple is reported before the logvar").isCloseTo(2.53125, within(1e-12));
    DiffusionLoss weighted = new DiffusionLoss(TINY, Parameterization.EPS, LossConfig.DEFAULTS.withWeights(3, 0));
    assertThat(weighted.terms(OUTPUT, NOISE, T).loss()).isCloseTo(3 * 2.53125, within(1e-12));
  }

  @Test
  void epsL1ByHand() {
    // |ε − out| per item: (0.25 + 0.25)/2 = 0.25 and (1 + 3)/2 = 2 -> loss_simple 1.125.
    DiffusionLoss loss = new DiffusionLoss(TINY, Parameterization.EPS, LossConfig.DEFAULTS.withLossType(LossType.L1));
    LossTerms l = loss.terms(OUTPUT, NOISE, T);
    assertThat(l.lossSimple()).isCloseTo(1.125, within(1e-12));
    assertThat(l.lossVlb()).isCloseTo((W1 * 0.25 + W2 * 2) / 2, within(1e-12));
  }

  @Test
  void x0TargetAndWeightsByHand() {
    // target x0; x0 − out = (0.75, −1.25 | 0.5, −1): per item (0.5625 + 1.5625)/2 = 1.0625, (0.25 + 1)/2 = 0.625.
    // x0 lvlb weights as CompVis computes them: 0.5·√ᾱ/(2 − ᾱ): t=1: 0.5·√0.72/1.28, t=2: 0.5·√0.504/1.496.
    DiffusionLoss loss = new DiffusionLoss(TINY, Parameterization.X0, LossConfig.DEFAULTS.withWeights(1, 1));
    LossTerms l = loss.pLosses((x, t) -> OUTPUT, X0, T, NOISE);
    assertThat(l.lossSimple()).isCloseTo((1.0625 + 0.625) / 2, within(1e-12));
    double vlb = (0.5 * Math.sqrt(0.72) / 1.28 * 1.0625 + 0.5 * Math.sqrt(0.504) / 1.496 * 0.625) / 2;
    assertThat(l.lossVlb()).isCloseTo(vlb, within(1e-12));
    assertThat(l.loss()).isCloseTo((1.0625 + 0.625) / 2 + vlb, within(1e-12));
  }

  @Test
  void vTargetByHand() {
    // v = √ᾱ·ε − √(1 − ᾱ)·x0; item 0 (ᾱ = 0.72): (√.72·0.5 − √.28, √.28); item 1 (ᾱ = 0.504): (√.504, −2√.504 − 0).
    // Weight 1 for v (CompVis sets lvlb_weights to ones).
    double[] v = {
      Math.sqrt(0.72) * 0.5 - Math.sqrt(0.28), Math.sqrt(0.28), Math.sqrt(0.504) - Math.sqrt(0.496) * 0.5, -2 * Math.sqrt(0.504)
    };
    double[] out = {0.25, 0.25, 0, 1};
    double item0 = (Math.pow(v[0] - out[0], 2) + Math.pow(v[1] - out[1], 2)) / 2;
    double item1 = (Math.pow(v[2] - out[2], 2) + Math.pow(v[3] - out[3], 2)) / 2;
    DiffusionLoss loss = new DiffusionLoss(TINY, Parameterization.V, LossConfig.DEFAULTS.withWeights(1, 1));
    LossTerms l = loss.pLosses((x, t) -> OUTPUT, X0, T, NOISE);
    assertThat(l.perItem()).containsExactly(new double[] {item0, item1}, within(1e-6));
    assertThat(l.lossVlb()).isCloseTo(l.lossSimple(), within(1e-15));
    assertThat(loss.lvlbWeight(0)).isEqualTo(1.0);
  }

  @ParameterizedTest
  @EnumSource(Parameterization.class)
  void aPerfectDenoiserHasZeroLoss(Parameterization p) {
    // Exact oracle: the model returns the target itself, so every term is exactly 0.
    DiffusionLoss loss = new DiffusionLoss(SD, p, LossConfig.DEFAULTS.withWeights(1, 1));
    GaussianTestRandom rng = new GaussianTestRandom(11);
    Tensor x0 = rng.randn(3, 4, 8, 8).map(Math::tanh);
    Tensor noise = rng.randn(3, 4, 8, 8);
    int[] t = {0, 500, 999};
    Tensor target = loss.target(x0, t, noise);
    LossTerms exact = loss.pLosses((x, tt) -> target, x0, t, noise);
    assertThat(exact.loss()).isZero();
    assertThat(exact.lossSimple()).isZero();
    assertThat(exact.lossVlb()).isZero();
    // Analytic point-mass denoiser (data = x0): ε recovered from x_t in float; l2 ≲ (34·6e-8)² per element.
    for (LossType type : LossType.values()) {
      DiffusionLoss typed = new DiffusionLoss(SD, p, LossConfig.DEFAULTS.withWeights(1, 1).withLossType(type));
      LossTerms analytic = typed.pLosses(pointMass(SD, p, x0), x0, t, noise);
      assertThat(analytic.loss()).as("%s %s", p, type).isLessThan(type == LossType.L2 ? 1e-10 : 1e-5);
    }
  }

  @Test
  void scoresADenoiserOnDataWithDrawnTimestepsAndNoise() {
    // A Denoiser whose UNet is the exact eps of a point mass scores ~0; with a bias of 0.1 on every output
    // element the l2 loss is 0.01 (and the vlb term is the mean lvlb weight of the drawn t times 0.01).
    Tensor x0 = Tensor.full(io.github.ldm4j.tensor.Shape.of(4, 1, 2, 2), 0.3f);
    for (float bias : new float[] {0, 0.1f}) {
      Denoiser d = Denoiser.of(new BiasedPointMassUNet(x0, bias));
      DiffusionLoss loss = new DiffusionLoss(SD, d.parameterization(), LossConfig.DEFAULTS.withWeights(1, 1));
      GaussianTestRandom rng = new GaussianTestRandom(5);
      int[] drawn = TimestepDraw.uniform(new SplittableRandom(9)).draw(4, 1000);
      LossTerms l = loss.pLosses(BatchModel.of(d, Conditioning.none()), x0, TimestepDraw.uniform(new SplittableRandom(9)), rng);
      assertThat(rng.draws()).isEqualTo(1);
      double meanWeight = 0;
      for (int t : drawn) {
        meanWeight += SD.lvlbWeightEps(t) / 4;
      }
      assertThat(l.lossSimple()).isCloseTo(bias * bias, within(1e-8));
      assertThat(l.lossVlb()).isCloseTo(meanWeight * bias * bias, within(1e-7 * Math.max(1, meanWeight)));
    }
  }

  /** An eps UNet for a point mass at x0 (item-wise), plus a constant bias, reading ᾱ from t. */
  private static final class BiasedPointMassUNet implements UNet {
    private final Tensor xStar;
    private final float bias;

    BiasedPointMassUNet(Tensor xStar, float bias) {
      this.xStar = xStar;
      this.bias = bias;
    }

    @Override
    public ConditioningKey conditioningKey() {
      return ConditioningKey.NONE;
    }

    @Override
    public Parameterization parameterization() {
      return Parameterization.EPS;
    }

    @Override
    public int inChannels() {
      return 1;
    }

    @Override
    public int outChannels() {
      return 1;
    }

    @Override
    public Tensor forward(Tensor sample, Tensor timesteps, Optional<Tensor> context) {
      Tensor out = Tensor.zeros(sample.shape());
      int stride = sample.shape().strideOfFirstAxis();
      for (int b = 0; b < sample.dim(0); b++) {
        PointMass.exactInto(Parameterization.EPS, sample, xStar, SD.alphaBar((int) timesteps.get(b)), out, b * stride, (b + 1) * stride);
      }
      return out.addScalar(bias);
    }
  }

  @Test
  void badInputIsRejected() {
    DiffusionLoss loss = new DiffusionLoss(TINY, Parameterization.EPS, LossConfig.DEFAULTS);
    assertThatThrownBy(() -> loss.pLosses((x, t) -> x, X0, (b, n) -> new int[] {0, 3}, new GaussianTestRandom(1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("drawn timesteps[1] = 3 is outside [0, 3) in [0, 3]");
    assertThatThrownBy(() -> loss.pLosses((x, t) -> Tensor.full(x.shape(), Float.POSITIVE_INFINITY), X0, T, NOISE))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("the model output at timesteps [1, 2] contains non-finite values");
    assertThatThrownBy(() -> loss.pLosses((x, t) -> x, X0, T, Tensor.zeros(2, 3)))
        .hasMessage("noise: shape [2, 3] does not match [2, 2]");
    assertThatThrownBy(() -> loss.terms(OUTPUT, NOISE, new int[] {1}))
        .hasMessageContaining("t must hold one timestep per batch item: got 1");
    assertThatThrownBy(() -> LossType.fromName("huber"))
        .hasMessage("unknown loss type 'huber'; expected one of l1, l2");
    assertThat(LossType.fromName(" L1 ")).isEqualTo(LossType.L1);
    assertThatThrownBy(() -> new LossConfig(LossType.L2, Double.NaN, 0, 0)).hasMessage("l_simple_weight must be finite, got NaN");
    assertThatThrownBy(() -> loss.lvlbWeight(3)).hasMessageContaining("timestep 3 is outside [0, 3)");
  }
}
