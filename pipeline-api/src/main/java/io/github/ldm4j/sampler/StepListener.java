package io.github.ldm4j.sampler;

/** Receives a {@link StepEvent} after every sampler step, in order, on the sampling thread. */
@FunctionalInterface
public interface StepListener {

  /** A listener that ignores every step. */
  StepListener NONE = e -> {};

  /** Called after each step. */
  void onStep(StepEvent event);
}
