package io.github.ldm4j.samplers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Offset.offset;

import io.github.ldm4j.model.Parameterization;
import io.github.ldm4j.sampler.CancellationToken;
import io.github.ldm4j.sampler.ModelFunction;
import io.github.ldm4j.sampler.Samplers;
import io.github.ldm4j.sampler.SamplingRun;
import io.github.ldm4j.sampler.StepListener;
import io.github.ldm4j.sampler.StepPlan;
import io.github.ldm4j.samplers.testing.GaussianRandom;
import io.github.ldm4j.samplers.testing.Runs;
import io.github.ldm4j.schedule.DiffusionSchedule;
import io.github.ldm4j.tensor.Shape;
import io.github.ldm4j.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class PartialDenoisingTest {

  static final DiffusionSchedule SD = DiffusionSchedule.stableDiffusionV1();

  @Test
  void timestepPlansKeepTheLowestTEncTimesteps() {
    // CompVis img2img: 50 DDIM steps, strength 0.75 → t_enc = 37: timesteps 721, 701, …, 1.
    StepPlan.Timesteps p = (StepPlan.Timesteps) PartialDenoising.plan(StepSchedulers.create("ddim_uniform"), SD, 50,
        0.75, StepPlan.Kind.TIMESTEPS);
    assertThat(p.steps()).isEqualTo(37);
    assertThat(p.at(0)).isEqualTo(721);
    assertThat(p.at(36)).isEqualTo(1);
    assertThat(PartialDenoising.plan(StepSchedulers.create("ddim_uniform"), SD, 50, 1, StepPlan.Kind.TIMESTEPS))
        .isEqualTo(StepSchedulers.create("ddim_uniform").plan(SD, 50, StepPlan.Kind.TIMESTEPS));
  }

  @Test
  void sigmaPlansAreTheTailOfALongerPlan() {
    // ComfyUI KSampler.set_steps: 20 steps at denoise 0.5 = the last 21 σ of karras(40).
    double[] full = ((StepPlan.Sigmas) StepSchedulers.create("karras").plan(SD, 40, StepPlan.Kind.SIGMAS)).values();
    StepPlan.Sigmas p = (StepPlan.Sigmas) PartialDenoising.plan(StepSchedulers.create("karras"), SD, 20, 0.5,
        StepPlan.Kind.SIGMAS);
    assertThat(p.values()).containsExactly(Arrays.copyOfRange(full, 20, 41));
    // int(20 / 0.3) = 66 steps, the last 20 kept.
    StepPlan.Sigmas q = (StepPlan.Sigmas) PartialDenoising.plan(StepSchedulers.create("karras"), SD, 20, 0.3,
        StepPlan.Kind.SIGMAS);
    double[] full66 = ((StepPlan.Sigmas) StepSchedulers.create("karras").plan(SD, 66, StepPlan.Kind.SIGMAS)).values();
    assertThat(q.values()).containsExactly(Arrays.copyOfRange(full66, 46, 67));
  }

  @Test
  void samplersNoiseTheInitToThePlansFirstLevel() {
    Shape shape = Shape.of(1, 1, 4, 4);
    Tensor init = Tensor.full(shape, 0.8f);
    Tensor noise = Runs.noise(shape, 2);
    List<Tensor> firstInputs = new ArrayList<>();
    ModelFunction recorder = (x, t) -> {
      firstInputs.add(x);
      return Tensor.zeros(x.shape());
    };
    // Timestep samplers: CompVis stochastic_encode √ᾱ·init + √(1−ᾱ)·noise at the first timestep.
    StepPlan ts = PartialDenoising.plan(StepSchedulers.create("ddim_uniform"), SD, 50, 0.5, StepPlan.Kind.TIMESTEPS);
    Samplers.create("ddim").sample(run(recorder, ts, noise, init));
    double a = SD.alphaBar(481);
    assertThat((double) firstInputs.get(0).get(3)).isCloseTo(Math.sqrt(a) * 0.8 + Math.sqrt(1 - a) * noise.get(3),
        offset(1e-6));
    // σ samplers: init + σ0·noise, seen by the model as (init + σ0·noise)/√(1 + σ0²).
    firstInputs.clear();
    StepPlan.Sigmas sp = (StepPlan.Sigmas) PartialDenoising.plan(StepSchedulers.create("karras"), SD, 10, 0.4,
        StepPlan.Kind.SIGMAS);
    Samplers.create("euler").sample(run(recorder, sp, noise, init));
    double s0 = sp.at(0);
    assertThat((double) firstInputs.get(0).get(3)).isCloseTo((0.8 + s0 * noise.get(3)) / Math.sqrt(1 + s0 * s0),
        offset(1e-6));
  }

  static SamplingRun run(ModelFunction model, StepPlan plan, Tensor noise, Tensor init) {
    return new SamplingRun(model, Parameterization.EPS, SD, plan, noise, Optional.of(init), new GaussianRandom(1),
        StepListener.NONE, CancellationToken.none());
  }
}
