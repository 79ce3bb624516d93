package io.github.ldm4j.pipeline;

import static io.github.ldm4j.pipeline.InMemoryModel.C;
import static io.github.ldm4j.pipeline.InMemoryModel.GAIN;
import static io.github.ldm4j.pipeline.InMemoryModel.PROMPTS;
import static io.github.ldm4j.pipeline.InMemoryModel.SCALE;
import static io.github.ldm4j.pipeline.InMemoryModel.image;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.github.ldm4j.diffusion.AncestralSampling;
import io.github.ldm4j.diffusion.ScaleFactor;
import io.github.ldm4j.model.CondStage;
import io.github.ldm4j.model.Conditioning;
import io.github.ldm4j.model.ConditioningKey;
import io.github.ldm4j.model.Denoiser;
import io.github.ldm4j.model.LatentDistribution;
import io.github.ldm4j.model.Parameterization;
import io.github.ldm4j.reference.training.DiffusionLoss;
import io.github.ldm4j.reference.training.LossConfig;
import io.github.ldm4j.reference.training.TimestepDraw;
import io.github.ldm4j.sampler.CancellationToken;
import io.github.ldm4j.sampler.Sampler;
import io.github.ldm4j.sampler.Samplers;
import io.github.ldm4j.sampler.SamplingRun;
import io.github.ldm4j.sampler.StepEvent;
import io.github.ldm4j.sampler.StepListener;
import io.github.ldm4j.sampler.StepPlan;
import io.github.ldm4j.schedule.DiffusionSchedule;
import io.github.ldm4j.tensor.Shape;
import io.github.ldm4j.tensor.Tensor;
import io.github.ldm4j.testsupport.GaussianTestRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.CancellationException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class LatentDiffusionTest {

  private static final DiffusionSchedule SD = DiffusionSchedule.stableDiffusionV1();

  /** Decoded images must equal the prompts' images to float rounding (measured ≲ 1e-6). */
  private static final double IMAGE_TOLERANCE = 1e-5;

  /** CompVis DDIM 50 "uniform" steps as facts.md §2 lists them: 981, 961, …, 21, 1. */
  private static StepPlan.Timesteps ddim50() {
    int[] t = new int[50];
    for (int i = 0; i < 50; i++) {
      t[i] = 981 - 20 * i;
    }
    return new StepPlan.Timesteps(t);
  }

  private static Tensor scaledLatent(Tensor img) {
    return new InMemoryModel.PatchFirstStage(false, true).encode(img).mean().scale(SCALE);
  }

  private static final List<Tensor> TARGETS = List.of(scaledLatent(image(0)), scaledLatent(image(1)));
  private static final Tensor BOTH_IMAGES = Tensor.concat(0, image(0), image(1));

  private static LatentDiffusion model(ConditioningKey key, Parameterization p, float offset, ScaleFactor scale) {
    return new LatentDiffusion(
        new InMemoryModel.PatchFirstStage(true, true),
        new InMemoryModel.PromptTable(offset),
        Denoiser.of(new InMemoryModel.PointMassUNet(key, p, SD, TARGETS)),
        SD,
        scale);
  }

  private static LatentDiffusion crossAttn(Parameterization p) {
    return model(ConditioningKey.CROSSATTN, p, 0, ScaleFactor.fromFirstStage());
  }

  @ParameterizedTest
  @EnumSource(Parameterization.class)
  void fullAncestralReverseProcessDrawsThePromptedImages(Parameterization p) {
    LatentDiffusion ld = crossAttn(p);
    Conditioning c = Conditioning.crossAttn(ld.getLearnedConditioning(PROMPTS));
    GaussianTestRandom rng = new GaussianTestRandom(2024);
    Tensor z = ld.pSampleLoop(c, ld.latentShape(2, 8, 8), rng, true, StepListener.NONE, CancellationToken.none());
    assertThat(z.shape()).isEqualTo(Shape.of(2, C, 4, 4));
    assertThat(z.maxAbsDiff(Tensor.concat(0, TARGETS.get(0), TARGETS.get(1)))).isLessThan(1e-6);
    assertThat(ld.decodeFirstStage(z).maxAbsDiff(BOTH_IMAGES)).isLessThan(IMAGE_TOLERANCE);
    assertThat(rng.draws()).as("x_T and one noise tensor per step").isEqualTo(1001);
  }

  @ParameterizedTest
  @EnumSource(Parameterization.class)
  void anySamplerRunsThroughTheSamplerContract(Parameterization p) {
    LatentDiffusion ld = crossAttn(p);
    Sampler ddim = Samplers.create("test-ddim");
    GaussianTestRandom rng = new GaussianTestRandom(7);
    Tensor noise = rng.randn(ld.latentShape(2, 8, 8));
    List<StepEvent> events = new ArrayList<>();
    SamplingRun run = ld.samplingRun(Conditioning.crossAttn(ld.getLearnedConditioning(PROMPTS)), ddim50(), noise,
        Optional.empty(), rng, events::add, CancellationToken.none());
    Tensor image = ld.decodeFirstStage(ld.sample(ddim, run));
    assertThat(image.maxAbsDiff(BOTH_IMAGES)).isLessThan(IMAGE_TOLERANCE);
    assertThat(events).hasSize(50);
    assertThat(events.get(0).timestep()).isEqualTo(981);
    assertThat(events.get(49).timestep()).isEqualTo(1);
  }

  @Test
  void promptOrderSelectsTheImages() {
    LatentDiffusion ld = crossAttn(Parameterization.EPS);
    Sampler ddim = Samplers.create("test-ddim");
    GaussianTestRandom rng = new GaussianTestRandom(8);
    List<String> swapped = List.of(PROMPTS.get(1), PROMPTS.get(0), PROMPTS.get(1));
    SamplingRun run = ld.samplingRun(Conditioning.crossAttn(ld.getLearnedConditioning(swapped)), ddim50(),
        rng.randn(ld.latentShape(3, 8, 8)), Optional.empty(), rng, StepListener.NONE, CancellationToken.none());
    Tensor image = ld.decodeFirstStage(ld.sample(ddim, run));
    assertThat(image.maxAbsDiff(Tensor.concat(0, image(1), image(0), image(1)))).isLessThan(IMAGE_TOLERANCE);
  }

  @Test
  void concatConditionedDenoiserRuns() {
    LatentDiffusion ld = model(ConditioningKey.CONCAT, Parameterization.EPS, 0, ScaleFactor.fixed(SCALE));
    Conditioning c = Conditioning.concat(Tensor.concat(0, TARGETS.get(1), TARGETS.get(0)));
    Tensor z = ld.pSampleLoop(c, ld.latentShape(2, 8, 8), new GaussianTestRandom(3), true, StepListener.NONE,
        CancellationToken.none());
    assertThat(ld.decodeFirstStage(z).maxAbsDiff(Tensor.concat(0, image(1), image(0)))).isLessThan(IMAGE_TOLERANCE);
  }

  @Test
  void hybridConditionedDenoiserRoutesBothInputs() {
    // x* = concat channels + context offset 0.1; decoding divides by SCALE·GAIN = 0.5: image + 0.2.
    LatentDiffusion ld = model(ConditioningKey.HYBRID, Parameterization.V, 0.1f, ScaleFactor.fromFirstStage());
    Conditioning c = Conditioning.hybrid(
        ld.getLearnedConditioning(PROMPTS), Tensor.concat(0, TARGETS.get(0), TARGETS.get(1)));
    Tensor z = ld.pSampleLoop(c, ld.latentShape(2, 8, 8), new GaussianTestRandom(4), false, StepListener.NONE,
        CancellationToken.none());
    Tensor expected = BOTH_IMAGES.addScalar(0.1 / (SCALE * GAIN));
    assertThat(ld.decodeFirstStage(z).maxAbsDiff(expected)).isLessThan(IMAGE_TOLERANCE);
    // The same through the sampler contract.
    GaussianTestRandom rng = new GaussianTestRandom(5);
    SamplingRun run = ld.samplingRun(c, ddim50(), rng.randn(ld.latentShape(2, 8, 8)), Optional.empty(), rng,
        StepListener.NONE, CancellationToken.none());
    assertThat(ld.decodeFirstStage(ld.sample(Samplers.create("test-ddim"), run)).maxAbsDiff(expected)).isLessThan(IMAGE_TOLERANCE);
  }

  @Test
  void firstStageRoundTripAppliesTheScaleFactor() {
    LatentDiffusion ld = crossAttn(Parameterization.EPS);
    LatentDistribution posterior = ld.encodeFirstStage(BOTH_IMAGES);
    // Encoding is GAIN·pixels (unscaled); the posterior std is e^−15 (log-variance clamped at −30).
    assertThat(posterior.mean().shape()).isEqualTo(Shape.of(2, C, 4, 4));
    GaussianTestRandom rng = new GaussianTestRandom(1);
    Tensor z = ld.getFirstStageEncoding(posterior, rng);
    assertThat(rng.draws()).isEqualTo(1);
    assertThat(z.maxAbsDiff(posterior.mean().scale(SCALE))).isLessThan(1e-5);
    assertThat(ld.decodeFirstStage(z).maxAbsDiff(BOTH_IMAGES)).isLessThan(IMAGE_TOLERANCE);
    assertThat(ld.scaleFactor()).isEqualTo(SCALE);
  }

  @Test
  void scaleByStdIsSetByTheFirstBatch() {
    LatentDiffusion ld = model(ConditioningKey.CROSSATTN, Parameterization.EPS, 0, ScaleFactor.byStd());
    assertThat(ld.hasScaleFactor()).isFalse();
    assertThatThrownBy(ld::scaleFactor)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("scale_by_std: the scale factor is set by the first batch of latents");
    assertThatThrownBy(() -> ld.decodeFirstStage(TARGETS.get(0))).isInstanceOf(IllegalStateException.class);
    LatentDistribution first = ld.encodeFirstStage(image(0));
    Tensor z = ld.getFirstStageEncoding(first, new GaussianTestRandom(1));
    // Latents are GAIN·pixels, so scale = 1/(GAIN·std(pixels)) and the scaled batch has unit (sample) std.
    assertThat(ld.scaleFactor()).isCloseTo(1 / (GAIN * image(0).std()), within(1e-5));
    assertThat(z.std()).isCloseTo(1, within(1e-5));
    double set = ld.scaleFactor();
    ld.getFirstStageEncoding(ld.encodeFirstStage(image(1).scale(0.1)), new GaussianTestRandom(2));
    assertThat(ld.calibrateScaleFactor(Tensor.of(new float[] {0, 100}, 2))).isEqualTo(set);
    assertThat(ld.scaleFactor()).isEqualTo(set);
  }

  @Test
  void modelFunctionAndBatchModelBindConditioning() {
    LatentDiffusion ld = crossAttn(Parameterization.EPS);
    Conditioning c = Conditioning.crossAttn(ld.getLearnedConditioning(PROMPTS));
    GaussianTestRandom rng = new GaussianTestRandom(9);
    Tensor x = rng.randn(ld.latentShape(2, 8, 8));
    Tensor viaFunction = ld.modelFunction(c).apply(x, 500.25);
    Tensor viaApply = ld.applyModel(x, Tensor.of(new float[] {500.25f, 500.25f}, 2), c);
    assertThat(viaFunction.maxAbsDiff(viaApply)).isZero();
    // Scoring the exact denoiser on its own data with p_losses gives ~0 (l2 of float rounding).
    DiffusionLoss loss = new DiffusionLoss(SD, Parameterization.EPS, LossConfig.DEFAULTS.withWeights(1, 1));
    Tensor data = Tensor.concat(0, TARGETS.get(0), TARGETS.get(1));
    assertThat(loss.pLosses(ld.batchModel(c), data, TimestepDraw.uniform(new SplittableRandom(1)), rng).loss())
        .isLessThan(1e-10);
  }

  @Test
  void listenerAndCancellationReachTheLoop() {
    LatentDiffusion ld = crossAttn(Parameterization.EPS);
    Conditioning c = Conditioning.crossAttn(ld.getLearnedConditioning(PROMPTS));
    CancellationToken token = new CancellationToken();
    List<Integer> steps = new ArrayList<>();
    StepListener stopAfterThree = e -> {
      steps.add(e.step());
      if (e.step() == 2) {
        token.cancel("enough");
      }
    };
    assertThatThrownBy(() -> ld.pSampleLoop(c, ld.latentShape(2, 8, 8), new GaussianTestRandom(1), true, stopAfterThree, token))
        .isInstanceOf(CancellationException.class)
        .hasMessage("enough");
    assertThat(steps).containsExactly(0, 1, 2);
  }

  @Test
  void ownsItsComponentsAndClosesThemOnce() {
    InMemoryModel.PatchFirstStage fs = new InMemoryModel.PatchFirstStage(false, true);
    LatentDiffusion ld = new LatentDiffusion("owned", fs, new InMemoryModel.PromptTable(0),
        Denoiser.of(new InMemoryModel.PointMassUNet(ConditioningKey.CROSSATTN, Parameterization.EPS, SD, TARGETS)), SD,
        ScaleFactor.fromFirstStage());
    assertThat(ld.name()).isEqualTo("owned");
    assertThat(ld.firstStage()).isSameAs(fs);
    assertThat(ld.schedule()).isSameAs(SD);
    assertThat(ld.scaleFactorPolicy()).isEqualTo(ScaleFactor.fromFirstStage());
    ld.denoiser().close();
    assertThat(fs.closes).as("the checked denoiser does not own the model").isZero();
    ld.close();
    ld.close();
    assertThat(fs.closes).isEqualTo(1);
    assertThat(ld.isClosed()).isTrue();
  }

  @Test
  void aNonFiniteModelOutputStopsTheRunAtItsStepNamingTheComponent() {
    int[] calls = {0};
    InMemoryModel.PointMassUNet exact =
        new InMemoryModel.PointMassUNet(ConditioningKey.CROSSATTN, Parameterization.EPS, SD, TARGETS);
    io.github.ldm4j.model.UNet poisoned = new InMemoryModel.PointMassUNet(ConditioningKey.CROSSATTN, Parameterization.EPS, SD, TARGETS) {
      @Override
      public Tensor forward(Tensor sample, Tensor timesteps, java.util.Optional<Tensor> context) {
        Tensor out = exact.forward(sample, timesteps, context);
        if (++calls[0] == 3) {
          out.set(5, Float.NaN);
        }
        return out;
      }
    };
    LatentDiffusion ld = new LatentDiffusion(new InMemoryModel.PatchFirstStage(false, true),
        new InMemoryModel.PromptTable(0), Denoiser.of(poisoned), SD, ScaleFactor.fromFirstStage());
    Conditioning c = Conditioning.crossAttn(ld.getLearnedConditioning(PROMPTS));
    List<Integer> seen = new ArrayList<>();
    StepPlan plan = AncestralSampling.fullPlan(SD);
    SamplingRun run = ld.samplingRun(c, plan, Tensor.zeros(ld.latentShape(2, 8, 8)), java.util.Optional.empty(),
        new GaussianTestRandom(1), e -> seen.add(e.step()), CancellationToken.none());
    assertThatThrownBy(() -> ld.sample(new TestDdimSampler(), run))
        .isInstanceOf(io.github.ldm4j.model.NonFiniteOutputException.class)
        .hasMessageStartingWith("unet returned non-finite values (NaN or infinity) at step 3 of " + plan.steps() + " (t = ");
    assertThat(seen).as("steps 1 and 2 completed, step 3 did not").containsExactly(0, 1);
  }

  // ------------------------------------------------------------------ bad input

  @Test
  void applyModelRejectsBadTimestepsShapesAndConditioning() {
    LatentDiffusion ld = crossAttn(Parameterization.EPS);
    Conditioning c = Conditioning.crossAttn(ld.getLearnedConditioning(PROMPTS));
    Tensor x = Tensor.zeros(2, C, 4, 4);
    for (float bad : new float[] {1000f, 999.5f, -1f, Float.NaN}) {
      assertThatThrownBy(() -> ld.applyModel(x, Tensor.of(new float[] {0, bad}, 2), c))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("t[1] = " + bad + " is outside [0, T) = [0, 1000)");
    }
    assertThatThrownBy(() -> ld.applyModel(x, Tensor.zeros(3), c)).hasMessage("t must be [B] with B = 2, got shape [3]");
    assertThatThrownBy(() -> ld.applyModel(Tensor.zeros(2, 4, 4, 4), Tensor.zeros(2), c))
        .hasMessage("x must be [B, 12, h, w], got shape [2, 4, 4, 4]");
    Tensor nan = Tensor.zeros(2, C, 4, 4);
    nan.set(7, Float.NaN);
    assertThatThrownBy(() -> ld.applyModel(nan, Tensor.zeros(2), c)).hasMessageContaining("x contains a non-finite value (NaN) at flat index 7");
    assertThatThrownBy(() -> ld.applyModel(x, Tensor.zeros(2), Conditioning.none()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("the denoiser takes 'crossattn' conditioning but was given 'none'");
    assertThatThrownBy(() -> ld.applyModel(x, Tensor.zeros(2), Conditioning.concat(x)))
        .hasMessage("the denoiser takes 'crossattn' conditioning but was given 'concat'");
    assertThatThrownBy(() -> ld.applyModel(x, Tensor.zeros(2), Conditioning.crossAttn(Tensor.zeros(1, 2, 3))))
        .hasMessageContaining("context batch 1");
  }

  @Test
  void nonFiniteDenoiserOutputIsReported() {
    Denoiser broken = Denoiser.of(new InMemoryModel.PointMassUNet(ConditioningKey.NONE, Parameterization.EPS, SD, TARGETS) {
      @Override
      public Tensor forward(Tensor sample, Tensor timesteps, Optional<Tensor> context) {
        return Tensor.full(sample.shape(), Float.NaN);
      }
    });
    LatentDiffusion ld = new LatentDiffusion(new InMemoryModel.PatchFirstStage(false, true), new InMemoryModel.PromptTable(0),
        broken, SD, ScaleFactor.fromFirstStage());
    assertThatThrownBy(() -> ld.applyModel(Tensor.zeros(1, C, 2, 2), Tensor.of(new float[] {3}, 1), Conditioning.none()))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("unet returned non-finite values (NaN or infinity) at t = 3.0; the model's weights or its precision"
            + " (fp16 overflow) cannot run this input");
  }

  @Test
  void firstStageInputsAreChecked() {
    LatentDiffusion ld = crossAttn(Parameterization.EPS);
    assertThatThrownBy(() -> ld.encodeFirstStage(Tensor.zeros(1, 4, 8, 8)))
        .hasMessage("image must be [B, 3, H, W], got shape [1, 4, 8, 8]");
    assertThatThrownBy(() -> ld.encodeFirstStage(Tensor.zeros(1, 3, 7, 8)))
        .hasMessageContaining("image sides that are positive multiples of 2, got batch 1, 7x8");
    Tensor inf = Tensor.zeros(1, 3, 8, 8);
    inf.set(0, Float.POSITIVE_INFINITY);
    assertThatThrownBy(() -> ld.encodeFirstStage(inf)).hasMessageContaining("image contains a non-finite value (Infinity)");
    assertThatThrownBy(() -> ld.decodeFirstStage(Tensor.zeros(1, 4, 2, 2)))
        .hasMessage("latent z must be [B, 12, h, w], got shape [1, 4, 2, 2]");
    LatentDiffusion decoderOnly = new LatentDiffusion(new InMemoryModel.PatchFirstStage(false, false),
        new InMemoryModel.PromptTable(0), Denoiser.of(new InMemoryModel.PointMassUNet(ConditioningKey.CROSSATTN,
        Parameterization.EPS, SD, TARGETS)), SD, ScaleFactor.fromFirstStage());
    assertThatThrownBy(() -> decoderOnly.encodeFirstStage(image(0)))
        .isInstanceOf(UnsupportedOperationException.class)
        .hasMessageContaining("no encoder");
  }

  @Test
  void conditioningInputsAreChecked() {
    LatentDiffusion ld = crossAttn(Parameterization.EPS);
    assertThatThrownBy(() -> ld.getLearnedConditioning(List.of())).hasMessage("prompts must not be empty");
    assertThatThrownBy(() -> ld.getLearnedConditioning(Arrays.asList("a red square", null))).hasMessage("prompt 1 is null");
    CondStage wrongBatch = prompts -> Tensor.zeros(1, 2, 3);
    LatentDiffusion bad = new LatentDiffusion(new InMemoryModel.PatchFirstStage(false, true), wrongBatch,
        Denoiser.of(new InMemoryModel.PointMassUNet(ConditioningKey.CROSSATTN, Parameterization.EPS, SD, TARGETS)), SD,
        ScaleFactor.fromFirstStage());
    assertThatThrownBy(() -> bad.getLearnedConditioning(PROMPTS))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("cond stage returned shape [1, 2, 3] for 2 prompts; expected [2, tokens, dim]");
  }

  @Test
  void mismatchedComponentsAndRunsAreRejected() {
    InMemoryModel.PointMassUNet fourChannels = new InMemoryModel.PointMassUNet(ConditioningKey.NONE, Parameterization.EPS, SD, TARGETS) {
      @Override
      public int inChannels() {
        return 4;
      }

      @Override
      public int outChannels() {
        return 4;
      }
    };
    assertThatThrownBy(() -> new LatentDiffusion(new InMemoryModel.PatchFirstStage(false, true), new InMemoryModel.PromptTable(0),
            Denoiser.of(fourChannels), SD, ScaleFactor.fromFirstStage()))
        .hasMessage("first stage has 12 latent channels but the denoiser takes 4");
    LatentDiffusion ld = crossAttn(Parameterization.EPS);
    Conditioning c = Conditioning.crossAttn(ld.getLearnedConditioning(PROMPTS));
    GaussianTestRandom rng = new GaussianTestRandom(1);
    Tensor noise = rng.randn(ld.latentShape(2, 8, 8));
    SamplingRun vRun = new SamplingRun(ld.modelFunction(c), Parameterization.V, SD, ddim50(), noise, Optional.empty(), rng,
        StepListener.NONE, CancellationToken.none());
    assertThatThrownBy(() -> ld.sample(new TestDdimSampler(), vRun))
        .hasMessage("run declares parameterization v but the denoiser predicts eps");
    SamplingRun ok = ld.samplingRun(c, ddim50(), noise, Optional.empty(), rng, StepListener.NONE, CancellationToken.none());
    Sampler nan = new Sampler() {
      @Override
      public String name() {
        return "nan";
      }

      @Override
      public Tensor sample(SamplingRun run) {
        return Tensor.full(run.noise().shape(), Float.NaN);
      }
    };
    assertThatThrownBy(() -> ld.sample(nan, ok)).isInstanceOf(IllegalStateException.class)
        .hasMessageStartingWith("nan returned non-finite values (NaN or infinity)");
    assertThatThrownBy(() -> ld.samplingRun(c, ddim50(), Tensor.zeros(2, 4, 4, 4), Optional.empty(), rng, StepListener.NONE,
            CancellationToken.none()))
        .hasMessage("noise must be [B, 12, h, w], got shape [2, 4, 4, 4]");
    assertThatThrownBy(() -> ld.latentShape(1, 8, 9)).hasMessageContaining("positive multiples of 2");
  }
}
