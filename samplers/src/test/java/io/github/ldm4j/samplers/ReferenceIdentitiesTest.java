package io.github.ldm4j.samplers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Offset.offset;

import io.github.ldm4j.model.Parameterization;
import io.github.ldm4j.sampler.ModelFunction;
import io.github.ldm4j.sampler.SamplerOptions;
import io.github.ldm4j.sampler.Samplers;
import io.github.ldm4j.sampler.StepEvent;
import io.github.ldm4j.sampler.StepPlan;
import io.github.ldm4j.samplers.compvis.Ddim;
import io.github.ldm4j.samplers.compvis.Ddpm;
import io.github.ldm4j.samplers.compvis.Plms;
import io.github.ldm4j.samplers.kdiffusion.Lms;
import io.github.ldm4j.samplers.testing.AnalyticModel;
import io.github.ldm4j.samplers.testing.GaussianRandom;
import io.github.ldm4j.samplers.testing.Runs;
import io.github.ldm4j.schedule.DiffusionSchedule;
import io.github.ldm4j.tensor.Shape;
import io.github.ldm4j.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Identities between the samplers and CompVis / k-diffusion quantities. */
class ReferenceIdentitiesTest {

  static final DiffusionSchedule SD = DiffusionSchedule.stableDiffusionV1();
  static final Shape SHAPE = Shape.of(1, 4, 8, 8);

  @Test
  void ddimWithEtaOneOnTheFullScheduleIsDdpmsAncestralStep() {
    // Step t → t−1: DDIM's σ_t² is the posterior variance, its mean the posterior mean.
    for (int t = 1; t < SD.timesteps(); t++) {
      double a = SD.alphaBar(t);
      double prev = SD.alphaBar(t - 1);
      double sigma = Ddim.sigma(1, a, prev);
      assertThat(sigma * sigma).isCloseTo(SD.posteriorVariance(t), offset(1e-12 + 1e-9 * SD.posteriorVariance(t)));
      // x_prev = √prev·x̂0 + √(1 − prev − σ²)·(x_t − √a·x̂0)/√(1 − a)
      double cx = Math.sqrt(1 - prev - sigma * sigma) / Math.sqrt(1 - a);
      double cx0 = Math.sqrt(prev) - cx * Math.sqrt(a);
      assertThat(cx).isCloseTo(SD.posteriorMeanCoef2(t), offset(1e-9));
      assertThat(cx0).isCloseTo(SD.posteriorMeanCoef1(t), offset(1e-9));
      double[] p = Ddpm.posterior(SD, a, prev);
      assertThat(p[0]).isCloseTo(SD.posteriorMeanCoef1(t), offset(1e-12));
      assertThat(p[1]).isCloseTo(SD.posteriorMeanCoef2(t), offset(1e-12));
      assertThat(p[2] * p[2]).isCloseTo(SD.posteriorVariance(t), offset(1e-15));
    }
  }

  @Test
  void ddimWithEtaOneAndDdpmTakeTheSameStepsFromTheSameSeed() {
    StepPlan plan = StepSchedulers.create("linspace").plan(SD, 1000, StepPlan.Kind.TIMESTEPS);
    List<StepEvent> ddim = new ArrayList<>();
    List<StepEvent> ddpm = new ArrayList<>();
    GaussianRandom rngDdim = new GaussianRandom(4);
    GaussianRandom rngDdpm = new GaussianRandom(4);
    Tensor noise = Runs.noise(SHAPE, 4);
    Samplers.create("ddim", SamplerOptions.DEFAULTS.withEta(1)).sample(Runs.run(
        new AnalyticModel(SD, Parameterization.EPS, 0.1, 0.5), Parameterization.EPS, SD, plan, noise, rngDdim, ddim::add));
    Samplers.create("ddpm").sample(Runs.run(
        new AnalyticModel(SD, Parameterization.EPS, 0.1, 0.5), Parameterization.EPS, SD, plan, noise, rngDdpm, ddpm::add));
    // Both draw one noise tensor per step but the last (DDIM: σ = 0 from ᾱ[0] to ᾱ[0]).
    assertThat(rngDdim.draws()).isEqualTo(999).isEqualTo(rngDdpm.draws());
    for (int i = 0; i < 999; i++) {
      assertThat(ddim.get(i).x().maxAbsDiff(ddpm.get(i).x())).as("step %d", i).isLessThan(2e-5);
    }
    // The last step differs exactly by the ᾱ[0] residual: DDPM returns x̂0, DDIM √ᾱ0·x̂0 + √(1−ᾱ0)·ε.
    assertThat(ddpm.get(999).x().maxAbsDiff(ddpm.get(999).denoised())).isZero();
  }

  @Test
  void ddimIsEulerInSigma() {
    // Karras et al. 2022: deterministic DDIM is the Euler method on x/√ᾱ over σ. Same levels
    // (ending at σ(0) = σ_min, where DDIM ends), same start x_T = noise ⇔ x_ve = noise/√ᾱ_T.
    StepPlan.Timesteps ts = (StepPlan.Timesteps) StepSchedulers.create("ddim_uniform").plan(SD, 20,
        StepPlan.Kind.TIMESTEPS);
    double[] sig = new double[ts.steps() + 1];
    for (int i = 0; i < ts.steps(); i++) {
      sig[i] = SD.sigma(ts.at(i));
    }
    sig[ts.steps()] = SD.sigmaMin();
    Tensor noise = Runs.noise(SHAPE, 8);
    for (Parameterization p : Parameterization.values()) {
      Tensor ddim = Samplers.create("ddim").sample(Runs.run(new AnalyticModel(SD, p, 0.3, 0.6), p, SD, ts, noise, 1));
      Tensor veNoise = noise.scale(Math.sqrt(1 + sig[0] * sig[0]) / sig[0]);
      Tensor euler = Samplers.create("euler").sample(Runs.run(new AnalyticModel(SD, p, 0.3, 0.6), p, SD,
          new StepPlan.Sigmas(sig), veNoise, 1));
      assertThat(euler.scale(Math.sqrt(SD.alphaBar(0))).maxAbsDiff(ddim)).as("%s", p).isLessThan(2e-5);
    }
  }

  @Test
  void plmsUsesAdamsBashforthOnTheRawEpsHistory() {
    // ε(t) = t/1000 independent of x: every ε' and step is then known in closed form.
    assertThat(new double[] {Plms.weight(4, 0), Plms.weight(4, 1), Plms.weight(4, 2), Plms.weight(4, 3)})
        .containsExactly(55 / 24.0, -59 / 24.0, 37 / 24.0, -9 / 24.0);
    for (int order = 1; order <= 4; order++) {
      double sum = 0;
      for (int j = 0; j < order; j++) {
        sum += Plms.weight(order, j);
      }
      assertThat(sum).isCloseTo(1, offset(1e-15));
    }
    int[] ts = {901, 701, 501, 301, 101, 11};
    List<Double> calledAt = new ArrayList<>();
    ModelFunction model = (x, t) -> {
      calledAt.add(t);
      return Tensor.full(x.shape(), (float) (t / 1000));
    };
    Tensor noise = Tensor.full(SHAPE, 0.5f);
    Tensor out = Samplers.create("plms").sample(Runs.run(model, Parameterization.EPS, SD, new StepPlan.Timesteps(ts),
        noise, 1));
    // First step: a second call at the next timestep (pseudo improved Euler).
    assertThat(calledAt).containsExactly(901.0, 701.0, 701.0, 501.0, 301.0, 101.0, 11.0);
    double x = 0.5;
    List<Double> old = new ArrayList<>();
    for (int i = 0; i < ts.length; i++) {
      double a = SD.alphaBar(ts[i]);
      double prev = i + 1 < ts.length ? SD.alphaBar(ts[i + 1]) : SD.alphaBar(0);
      double e = ts[i] / 1000.0;
      double ep = switch (old.size()) {
        case 0 -> (e + ts[i + 1] / 1000.0) / 2;
        case 1 -> (3 * e - old.get(0)) / 2;
        case 2 -> (23 * e - 16 * old.get(0) + 5 * old.get(1)) / 12;
        default -> (55 * e - 59 * old.get(0) + 37 * old.get(1) - 9 * old.get(2)) / 24;
      };
      double x0 = (x - Math.sqrt(1 - a) * ep) / Math.sqrt(a);
      x = Math.sqrt(prev) * x0 + Math.sqrt(1 - prev) * ep;
      old.add(0, e);
    }
    assertThat((double) out.get(0)).isCloseTo(x, offset(2e-6));
  }

  @Test
  void sigmaSamplersFeedTheModelKdiffusionScaledInputs() {
    // c_in = 1/√(σ² + 1), t = sigma_to_t(σ); for v: D = ᾱ·x − √(1−ᾱ)·v (DiscreteVDDPMDenoiser).
    double sigma = 3.0;
    List<Tensor> inputs = new ArrayList<>();
    List<Double> times = new ArrayList<>();
    ModelFunction model = (x, t) -> {
      inputs.add(x);
      times.add(t);
      return Tensor.full(x.shape(), 0.25f);
    };
    Tensor noise = Tensor.full(SHAPE, 1.0f);
    List<StepEvent> events = new ArrayList<>();
    Samplers.create("euler").sample(Runs.run(model, Parameterization.V, SD, new StepPlan.Sigmas(new double[] {sigma, 0}),
        noise, new GaussianRandom(1), events::add));
    assertThat((double) inputs.get(0).get(0)).isCloseTo(sigma / Math.sqrt(sigma * sigma + 1), offset(1e-6));
    assertThat(times.get(0)).isCloseTo(SD.sigmaToT(sigma), offset(1e-12));
    double ab = 1 / (1 + sigma * sigma);
    assertThat((double) events.get(0).denoised().get(0)).isCloseTo(ab * sigma - Math.sqrt(1 - ab) * 0.25, offset(1e-6));
  }

  @Test
  void lmsCoefficientsIntegrateTheLagrangeBasis() {
    double[] t = {14.6, 9.1, 5.5, 3.2, 1.7, 0};
    // Order 1: the step itself.
    assertThat(Lms.coefficient(1, t, 0, 0)).isCloseTo(t[1] - t[0], offset(1e-15));
    for (int order = 1; order <= 4; order++) {
      int i = order - 1 + 1;
      double sum = 0;
      for (int j = 0; j < order; j++) {
        double c = Lms.coefficient(order, t, i, j);
        sum += c;
        assertThat(c).as("order %d j %d", order, j).isCloseTo(simpson(order, t, i, j), offset(1e-12));
      }
      // The basis sums to 1, so the coefficients sum to the step length.
      assertThat(sum).isCloseTo(t[i + 1] - t[i], offset(1e-13));
    }
  }

  /** Composite Simpson integration of the Lagrange basis (independent of the implementation). */
  static double simpson(int order, double[] t, int i, int j) {
    int n = 2000;
    double a = t[i];
    double h = (t[i + 1] - a) / n;
    double sum = 0;
    for (int k = 0; k <= n; k++) {
      double tau = a + k * h;
      double prod = 1;
      for (int m = 0; m < order; m++) {
        if (m != j) {
          prod *= (tau - t[i - m]) / (t[i - j] - t[i - m]);
        }
      }
      sum += prod * (k == 0 || k == n ? 1 : (k % 2 == 1 ? 4 : 2));
    }
    return sum * h / 3;
  }
}
