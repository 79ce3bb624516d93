package io.github.ldm4j.it;

import io.github.ldm4j.sampler.CancellationToken;
import io.github.ldm4j.sampler.ModelFunction;
import io.github.ldm4j.sampler.Sampler;
import io.github.ldm4j.sampler.SamplerOptions;
import io.github.ldm4j.sampler.SamplerProvider;
import io.github.ldm4j.sampler.Samplers;
import io.github.ldm4j.sampler.SamplingRun;
import io.github.ldm4j.sampler.StepPlan;
import io.github.ldm4j.tensor.Tensor;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * Test-only sampler {@value #NAME}: {@code euler}, but every model evaluation (one per step) first
 * takes a permit from a static gate, so a test decides exactly how many steps a generation may run.
 * While it waits it polls the run's cancellation token, so a cancelled generation stops at once
 * (with the token's {@link java.util.concurrent.CancellationException}) even with the gate shut.
 * Steps reach the run's listener as with any sampler. Registered for the tests by {@code
 * META-INF/services} in src/test/resources; the @QuarkusTests and the application share this class
 * (one Quarkus class loader), hence one gate.
 */
public final class GateSampler implements Sampler {

  /** The registered name. */
  public static final String NAME = "test_gate";

  private static final Semaphore PERMITS = new Semaphore(0);
  private static volatile boolean open = true;

  private final Sampler euler;

  private GateSampler(SamplerOptions options) {
    this.euler = Samplers.create("euler", options);
  }

  /** Shuts the gate: from now on no gated step runs until permits are given. */
  static void shut() {
    open = false;
    PERMITS.drainPermits();
  }

  /** Lets {@code steps} more gated steps run (in all, over every gated generation). */
  static void allow(int steps) {
    PERMITS.release(steps);
  }

  /** Opens the gate for good: every waiting and later gated step runs. */
  static void openFully() {
    open = true;
  }

  private static void pass(CancellationToken cancellation) {
    try {
      while (!open && !PERMITS.tryAcquire(5, TimeUnit.MILLISECONDS)) {
        cancellation.throwIfCancelled();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted at the test gate", e);
    }
    cancellation.throwIfCancelled();
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public StepPlan.Kind planKind() {
    return euler.planKind();
  }

  @Override
  public Tensor sample(SamplingRun run) {
    ModelFunction model = run.model();
    ModelFunction gated = (x, t) -> {
      pass(run.cancellation());
      return model.apply(x, t);
    };
    return euler.sample(new SamplingRun(gated, run.parameterization(), run.schedule(), run.plan(), run.noise(),
        run.init(), run.rng(), run.listener(), run.cancellation()));
  }

  /** Registers {@value #NAME} (found by {@link java.util.ServiceLoader}). */
  public static final class Provider implements SamplerProvider {
    /** The instance {@link java.util.ServiceLoader} creates. */
    public Provider() {}

    @Override
    public String name() {
      return NAME;
    }

    @Override
    public Sampler create(SamplerOptions options) {
      return new GateSampler(options);
    }
  }
}
