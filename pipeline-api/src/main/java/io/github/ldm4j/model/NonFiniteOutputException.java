package io.github.ldm4j.model;

import java.util.OptionalInt;

/**
 * A network returned NaN or infinite values (an fp16 overflow, broken weights): the generation
 * stops there, naming the component, the timestep and — once the sampling loop knows it — the step,
 * instead of producing a silently wrong image.
 */
public final class NonFiniteOutputException extends IllegalStateException {

  private static final long serialVersionUID = 1L;

  private final String component;
  private final double timestep;
  private final OptionalInt step;
  private final int steps;

  /**
   * @param component the network that produced the values ({@code unet}, {@code vae_decoder}, …)
   * @param timestep the timestep it ran at (NaN when it has none)
   */
  public NonFiniteOutputException(String component, double timestep) {
    this(component, timestep, OptionalInt.empty(), 0);
  }

  private NonFiniteOutputException(String component, double timestep, OptionalInt step, int steps) {
    super(message(component, timestep, step, steps));
    this.component = component;
    this.timestep = timestep;
    this.step = step;
    this.steps = steps;
  }

  private static String message(String component, double timestep, OptionalInt step, int steps) {
    StringBuilder sb = new StringBuilder(component).append(" returned non-finite values (NaN or infinity)");
    step.ifPresent(s -> sb.append(" at step ").append(s).append(" of ").append(steps));
    if (!Double.isNaN(timestep)) {
      sb.append(step.isPresent() ? " (t = " : " at t = ").append((float) timestep).append(step.isPresent() ? ")" : "");
    }
    return sb.append("; the model's weights or its precision (fp16 overflow) cannot run this input").toString();
  }

  /** The same failure located at sampler step {@code step} (1-based) of {@code steps}. */
  public NonFiniteOutputException atStep(int step, int steps) {
    NonFiniteOutputException e = new NonFiniteOutputException(component, timestep, OptionalInt.of(step), steps);
    e.setStackTrace(getStackTrace());
    return e;
  }

  /** The network that produced the values. */
  public String component() {
    return component;
  }

  /** The timestep (NaN when none). */
  public double timestep() {
    return timestep;
  }

  /** The 1-based sampler step, when known. */
  public OptionalInt step() {
    return step;
  }
}
