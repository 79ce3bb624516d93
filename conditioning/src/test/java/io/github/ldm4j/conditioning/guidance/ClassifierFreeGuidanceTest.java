package io.github.ldm4j.conditioning.guidance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.github.ldm4j.model.Conditioning;
import io.github.ldm4j.model.ConditioningKey;
import io.github.ldm4j.model.Denoiser;
import io.github.ldm4j.model.Parameterization;
import io.github.ldm4j.model.GuidancePair;
import io.github.ldm4j.model.UNet;
import io.github.ldm4j.schedule.DiffusionSchedule;
import io.github.ldm4j.tensor.Shape;
import io.github.ldm4j.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Classifier-free guidance against hand-computed predictions of a tiny UNet. */
class ClassifierFreeGuidanceTest {

  /**
   * out[b, c, i, j] = 0.5·x[b, c, i, j] + 0.01·t[b] + 0.1·Σ context[b]; records the batch sizes it
   * is called with.
   */
  static final class LinearUNet implements UNet {
    final List<Integer> calls = new ArrayList<>();
    final List<float[]> timesteps = new ArrayList<>();

    @Override
    public ConditioningKey conditioningKey() {
      return ConditioningKey.CROSSATTN;
    }

    @Override
    public Parameterization parameterization() {
      return Parameterization.EPS;
    }

    @Override
    public int inChannels() {
      return 2;
    }

    @Override
    public int outChannels() {
      return 2;
    }

    @Override
    public Tensor forward(Tensor sample, Tensor t, Optional<Tensor> context) {
      calls.add(sample.dim(0));
      timesteps.add(t.toArray());
      Tensor ctx = context.orElseThrow();
      Tensor out = Tensor.zeros(sample.shape());
      int per = sample.size() / sample.dim(0);
      for (int b = 0; b < sample.dim(0); b++) {
        double s = ctx.batch(b).sum();
        for (int i = b * per; i < (b + 1) * per; i++) {
          out.set(i, (float) (0.5 * sample.get(i) + 0.01 * t.get(b) + 0.1 * s));
        }
      }
      return out;
    }
  }

  private final LinearUNet unet = new LinearUNet();
  private final Denoiser denoiser = Denoiser.of(unet);
  // B = 2, C = 2, 2x2 latent; context [2, 3, 2]
  private final Tensor x = Tensor.of(new float[] {
      0.1f, -0.2f, 0.3f, 0.4f, 1.0f, 0.5f, -0.5f, 0.25f,
      -1.0f, 0.7f, 0.2f, 0.0f, 0.9f, -0.3f, 0.6f, -0.8f}, 2, 2, 2, 2);
  private final Tensor ctxC = Tensor.of(new float[] {1, 2, 3, 4, 5, 6, -1, 0, 1, 2, 3, 4}, 2, 3, 2);
  private final Tensor ctxU = Tensor.of(new float[] {0, 0, 1, 0, 0, 0, 2, 2, 2, 2, 2, 2}, 2, 3, 2);
  private final Conditioning cond = Conditioning.crossAttn(ctxC);
  private final Conditioning uncond = Conditioning.crossAttn(ctxU);

  /** The tiny UNet's prediction, by hand. */
  private static double eps(double xv, double t, double ctxSum) {
    return 0.5 * xv + 0.01 * t + 0.1 * ctxSum;
  }

  private float[] expected(double s, double t) {
    double[] sumC = {21, 9};
    double[] sumU = {1, 12};
    float[] out = new float[16];
    for (int i = 0; i < 16; i++) {
      int b = i / 8;
      double c = eps(x.get(i), t, sumC[b]);
      double u = eps(x.get(i), t, sumU[b]);
      out[i] = (float) (u + s * (c - u));
    }
    return out;
  }

  @Test
  void batchedGuidanceIsOneCallOf2B() {
    ClassifierFreeGuidance cfg = ClassifierFreeGuidance.wrap(denoiser, cond, uncond, GuidanceOptions.of(7.5));
    Tensor got = cfg.apply(x, 500);
    assertThat(got.shape()).isEqualTo(Shape.of(2, 2, 2, 2));
    assertThat(got.toArray()).containsExactly(expected(7.5, 500), within(1e-5f));
    assertThat(unet.calls).containsExactly(4);
    assertThat(unet.timesteps.getFirst()).containsExactly(500f, 500f, 500f, 500f);
  }

  @Test
  void separateCallsGiveTheSameResult() {
    Tensor batched = ClassifierFreeGuidance.wrap(denoiser, cond, uncond, GuidanceOptions.of(7.5)).apply(x, 321.5);
    unet.calls.clear();
    Tensor separate = ClassifierFreeGuidance.wrap(denoiser, cond, uncond,
        GuidanceOptions.of(7.5).withBatching(GuidanceBatching.SEPARATE)).apply(x, 321.5);
    assertThat(unet.calls).containsExactly(2, 2);
    assertThat(separate.toArray()).isEqualTo(batched.toArray());
    assertThat(separate.toArray()).containsExactly(expected(7.5, 321.5), within(1e-5f));
  }

  @Test
  void scaleAtMostOneSkipsTheUnconditionalPass() {
    Tensor condOnly = denoiser.applyModel(x, Tensor.full(Shape.of(2), 10f), cond);
    for (double s : new double[] {1.0, 0.5, 0.0}) {
      unet.calls.clear();
      Tensor got = ClassifierFreeGuidance.wrap(denoiser, cond, uncond, GuidanceOptions.of(s)).apply(x, 10);
      assertThat(unet.calls).containsExactly(2);
      assertThat(got.toArray()).isEqualTo(condOnly.toArray());
    }
    // s = 1 is exactly cond-only by the formula too
    assertThat(expected(1.0, 10)).containsExactly(condOnly.toArray(), within(1e-6f));
    assertThat(ClassifierFreeGuidance.conditional(denoiser, cond).apply(x, 10).toArray()).isEqualTo(condOnly.toArray());
  }

  private static final DiffusionSchedule SD = DiffusionSchedule.stableDiffusionV1();

  @Test
  void cutoffSkipsTheUnconditionalPassBelowSigmaMin() {
    // SD's σ(t) grows with t: σ(100) ≈ 0.39, σ(400) ≈ 1.57, σ(999) ≈ 14.6; cut-off at σ = 1
    assertThat(SD.sigma(100)).isLessThan(1);
    assertThat(SD.sigma(400)).isGreaterThan(1);
    for (GuidanceBatching batching : GuidanceBatching.values()) {
      GuidanceOptions o = GuidanceOptions.of(7.5).withBatching(batching).withCutoffSigma(1.0);
      ClassifierFreeGuidance cfg = ClassifierFreeGuidance.wrap(denoiser, new GuidancePair(cond, uncond), o, SD);
      unet.calls.clear();
      Tensor low = cfg.apply(x, 100);
      // below σ_min: the cond prediction alone, one call of B = 2 rows (A1111: cond_scale 1 on the cond output)
      assertThat(unet.calls).containsExactly(2);
      assertThat(low.toArray()).isEqualTo(denoiser.applyModel(x, Tensor.full(Shape.of(2), 100f), cond).toArray());
      assertThat(low.toArray()).containsExactly(expected(1, 100), within(1e-5f));
      unet.calls.clear();
      Tensor high = cfg.apply(x, 400);
      // above: plain CFG, 2B rows (one call of 4 or two of 2)
      assertThat(unet.calls.stream().mapToInt(Integer::intValue).sum()).isEqualTo(4);
      assertThat(high.toArray()).containsExactly(expected(7.5, 400), within(1e-5f));
    }
  }

  @Test
  void cutoffComparesSigmaAtFractionalTimesAndIsStrict() {
    double t = SD.sigmaToT(1.0); // fractional t with σ(t) = 1 up to rounding
    double sigmaMin = SD.tToSigma(t);
    ClassifierFreeGuidance cfg = ClassifierFreeGuidance.wrap(denoiser, new GuidancePair(cond, uncond),
        GuidanceOptions.of(7.5).withCutoffSigma(sigmaMin), SD);
    cfg.apply(x, t); // σ == σ_min: not below, guided (A1111: sigma < s_min_uncond)
    assertThat(unet.calls).containsExactly(4);
    unet.calls.clear();
    cfg.apply(x, t - 1e-6);
    assertThat(unet.calls).containsExactly(2);
  }

  @Test
  void cutoffZeroIsPlainGuidanceBitForBit() {
    Tensor plain = ClassifierFreeGuidance.wrap(denoiser, cond, uncond, GuidanceOptions.of(7.5).withRescale(0.7)).apply(x, 3);
    Tensor zero = ClassifierFreeGuidance.wrap(denoiser, new GuidancePair(cond, uncond),
        GuidanceOptions.of(7.5).withRescale(0.7).withCutoffSigma(0), SD).apply(x, 3);
    assertThat(zero.toArray()).isEqualTo(plain.toArray());
    assertThat(unet.calls).containsExactly(4, 4);
  }

  @ParameterizedTest
  @ValueSource(doubles = {Double.NaN, Double.POSITIVE_INFINITY, -0.1, -0.0001})
  void invalidCutoff(double sigma) {
    assertThatThrownBy(() -> GuidanceOptions.of(7).withCutoffSigma(sigma))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("CFG cut-off sigma").hasMessageContaining("got");
  }

  @Test
  void cutoffWithoutAScheduleIsRefused() {
    assertThatThrownBy(() -> ClassifierFreeGuidance.wrap(denoiser, cond, uncond, GuidanceOptions.of(7).withCutoffSigma(1)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("diffusion schedule");
  }

  @ParameterizedTest
  @ValueSource(doubles = {Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, -0.5})
  void invalidScales(double s) {
    assertThatThrownBy(() -> GuidanceOptions.of(s))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("guidance scale");
  }

  @ParameterizedTest
  @ValueSource(doubles = {Double.NaN, -0.1, 1.5})
  void invalidRescale(double phi) {
    assertThatThrownBy(() -> GuidanceOptions.of(7).withRescale(phi))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("rescale");
  }

  @Test
  void rescaleByHand() {
    // ε_c = x·a, ε_u = x·b per batch item (an UNet that scales by the context value)
    UNet scaling = new UNet() {
      @Override public ConditioningKey conditioningKey() {
        return ConditioningKey.CROSSATTN;
      }

      @Override public Parameterization parameterization() {
        return Parameterization.EPS;
      }

      @Override public int inChannels() {
        return 2;
      }

      @Override public int outChannels() {
        return 2;
      }

      @Override public Tensor forward(Tensor sample, Tensor t, Optional<Tensor> context) {
        double[] f = new double[sample.dim(0)];
        for (int b = 0; b < f.length; b++) {
          f[b] = context.orElseThrow().at(b, 0, 0);
        }
        return sample.scalePerBatch(f);
      }
    };
    Conditioning c = Conditioning.crossAttn(Tensor.of(new float[] {2, -1}, 2, 1, 1));
    Conditioning u = Conditioning.crossAttn(Tensor.of(new float[] {1, 0.5f}, 2, 1, 1));
    double s = 5;
    double phi = 0.7;
    Tensor got = ClassifierFreeGuidance.wrap(Denoiser.of(scaling), c, u, GuidanceOptions.of(s).withRescale(phi))
        .apply(x, 0);
    double[] a = {2, -1};
    double[] bb = {1, 0.5};
    for (int n = 0; n < 2; n++) {
      double g = bb[n] + s * (a[n] - bb[n]);            // guided = x·g
      double factor = phi * Math.abs(a[n]) / Math.abs(g) + (1 - phi); // std(x·a)/std(x·g) = |a|/|g|
      for (int i = n * 8; i < (n + 1) * 8; i++) {
        assertThat(got.get(i)).isCloseTo((float) (x.get(i) * g * factor), within(1e-5f));
      }
    }
    // φ = 1 restores the conditional prediction's standard deviation exactly
    Tensor full = ClassifierFreeGuidance.wrap(Denoiser.of(scaling), c, u, GuidanceOptions.of(s).withRescale(1))
        .apply(x, 0);
    Tensor ec = x.scalePerBatch(a);
    for (int n = 0; n < 2; n++) {
      assertThat(full.batch(n).std()).isCloseTo(ec.batch(n).std(), within(1e-6));
    }
  }

  @Test
  void rescaleMatchesDiffusersFormulaOnAGenericExample() {
    ClassifierFreeGuidance cfg = ClassifierFreeGuidance.wrap(denoiser, cond, uncond, GuidanceOptions.of(3).withRescale(0.4));
    Tensor got = cfg.apply(x, 7);
    float[] guided = expected(3, 7);
    double[] sumC = {21, 9};
    for (int n = 0; n < 2; n++) {
      double[] c = new double[8];
      double[] g = new double[8];
      for (int i = 0; i < 8; i++) {
        c[i] = eps(x.get(n * 8 + i), 7, sumC[n]);
        g[i] = guided[n * 8 + i];
      }
      double f = 0.4 * (sampleStd(c) / sampleStd(g)) + 0.6;
      for (int i = 0; i < 8; i++) {
        assertThat(got.get(n * 8 + i)).isCloseTo((float) (g[i] * f), within(1e-5f));
      }
    }
  }

  private static double sampleStd(double[] v) {
    double m = 0;
    for (double d : v) {
      m += d;
    }
    m /= v.length;
    double s = 0;
    for (double d : v) {
      s += (d - m) * (d - m);
    }
    return Math.sqrt(s / (v.length - 1));
  }

  @Test
  void mismatchesAreClearErrors() {
    Conditioning shortUncond = Conditioning.crossAttn(Tensor.zeros(2, 1, 2));
    assertThatThrownBy(() -> ClassifierFreeGuidance.wrap(denoiser, cond, shortUncond, GuidanceOptions.of(7)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("differ in shape")
        .hasMessageContaining("negative prompt");
    Conditioning concat = Conditioning.concat(Tensor.zeros(2, 1, 2, 2));
    assertThatThrownBy(() -> ClassifierFreeGuidance.wrap(denoiser, cond, concat, GuidanceOptions.of(7)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("concat");
    ClassifierFreeGuidance cfg = ClassifierFreeGuidance.wrap(denoiser, cond, uncond, GuidanceOptions.of(7));
    assertThatThrownBy(() -> cfg.apply(Tensor.zeros(3, 2, 2, 2), 1))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("batch 2").hasMessageContaining("3");
    assertThatThrownBy(() -> cfg.apply(x, Double.NaN)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> ClassifierFreeGuidance.wrap(denoiser, Conditioning.none(), Conditioning.none(),
        GuidanceOptions.of(7))).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void separateCallsGiveTheSameGuidanceAsOneBatchedCall() {
    Tensor direct = ClassifierFreeGuidance.wrap(denoiser, cond, uncond, GuidanceOptions.of(7.5)).apply(x, 500);
    unet.calls.clear();
    Tensor split = ClassifierFreeGuidance.wrap(denoiser, cond, uncond,
        GuidanceOptions.of(7.5).withBatching(GuidanceBatching.SEPARATE)).apply(x, 500);
    assertThat(unet.calls).containsExactly(2, 2);
    assertThat(split.toArray()).isEqualTo(direct.toArray());
  }
}
