package io.github.ldm4j.samplers.bench;

import io.github.ldm4j.model.Parameterization;
import io.github.ldm4j.random.RandomSource;
import io.github.ldm4j.sampler.CancellationToken;
import io.github.ldm4j.sampler.ModelFunction;
import io.github.ldm4j.sampler.Sampler;
import io.github.ldm4j.sampler.Samplers;
import io.github.ldm4j.sampler.SamplingRun;
import io.github.ldm4j.sampler.StepListener;
import io.github.ldm4j.sampler.StepPlan;
import io.github.ldm4j.samplers.StepSchedulers;
import io.github.ldm4j.schedule.DiffusionSchedule;
import io.github.ldm4j.tensor.Shape;
import io.github.ldm4j.tensor.Tensor;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Per-step sampler overhead: everything a step costs except the model, at SD's latent [2, 4, 64,
 * 64] (a guided batch of one 512² image). The model function returns a preallocated tensor, so
 * the time is the sampler's tensor arithmetic, allocation, input scaling and bookkeeping. Single
 * thread. Reported per step ({@value #STEPS} steps per invocation).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xmx2g"})
public class SamplerStepBenchmark {

  static final int STEPS = 20;

  @Param({"euler", "dpmpp_2m", "ddim", "uni_pc"})
  public String sampler;

  private Sampler instance;
  private SamplingRun run;

  @Setup
  public void setup() {
    DiffusionSchedule sd = DiffusionSchedule.stableDiffusionV1();
    Shape shape = Shape.of(2, 4, 64, 64);
    Random r = new Random(1);
    float[] v = new float[shape.size()];
    for (int i = 0; i < v.length; i++) {
      v[i] = (float) r.nextGaussian();
    }
    Tensor noise = Tensor.of(shape, v);
    Tensor prediction = noise.scale(0.5);
    ModelFunction model = (x, t) -> prediction;
    RandomSource rng = s -> Tensor.zeros(s);
    instance = Samplers.create(sampler);
    StepPlan plan = StepSchedulers.create("linspace").plan(sd, STEPS, instance.planKind());
    run = new SamplingRun(model, Parameterization.EPS, sd, plan, noise, Optional.empty(), rng, StepListener.NONE,
        CancellationToken.none());
  }

  @Benchmark
  @OperationsPerInvocation(STEPS)
  public Tensor step() {
    return instance.sample(run);
  }
}
