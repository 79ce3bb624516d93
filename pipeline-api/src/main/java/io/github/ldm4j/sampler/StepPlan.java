package io.github.ldm4j.sampler;

import java.util.Arrays;

/**
 * The noise levels a sampler visits, in the order it visits them: either discrete timesteps
 * (CompVis DDIM/PLMS/DDPM family) or σ values (k-diffusion family).
 */
public sealed interface StepPlan {

  /** The two kinds of plan: which family of samplers takes each natively. */
  enum Kind {
    /** {@link Timesteps}: discrete training timesteps (CompVis DDPM/DDIM/PLMS/DPM-Solver family). */
    TIMESTEPS,
    /** {@link Sigmas}: noise levels σ (k-diffusion family). */
    SIGMAS
  }

  /** Number of model-evaluating steps. */
  int steps();

  /** Which kind of plan this is. */
  Kind kind();

  /**
   * Strictly decreasing discrete timesteps in [0, T); the sampler steps from each to the next, and
   * from the last to "ᾱ<sub>prev</sub>" (ᾱ[0] in CompVis DDIM).
   *
   * <p>{@code times} are the unrounded times the integers were rounded from, where a schedule has
   * them (diffusers' {@code linspace}: linspace(0, T−1, n) before rounding — on the solver grid exactly
   * CompVis' DPM-Solver time grid (T−1)·(1 − i/S)); otherwise the integers themselves. Samplers whose
   * reference evaluates the model at fractional times ({@code dpm_solver}) use them; the others use the
   * integers.
   *
   * @param values the timesteps, first the noisiest
   * @param times the unrounded times, each within ½ of its timestep, strictly decreasing
   */
  record Timesteps(int[] values, double[] times) implements StepPlan {
    /** Validates and copies; null {@code times} are the integers themselves. */
    public Timesteps {
      if (values == null || values.length == 0) {
        throw new IllegalArgumentException("a timestep plan needs at least one timestep");
      }
      values = values.clone();
      for (int i = 0; i < values.length; i++) {
        if (values[i] < 0) {
          throw new IllegalArgumentException("timestep " + values[i] + " at position " + i + " is negative");
        }
        if (i > 0 && values[i] >= values[i - 1]) {
          throw new IllegalArgumentException(
              "timesteps must be strictly decreasing, got " + Arrays.toString(values));
        }
      }
      if (times == null) {
        times = new double[values.length];
        for (int i = 0; i < values.length; i++) {
          times[i] = values[i];
        }
      } else {
        times = times.clone();
        if (times.length != values.length) {
          throw new IllegalArgumentException(
              "a timestep plan needs one time per timestep, got " + times.length + " for " + values.length);
        }
        for (int i = 0; i < times.length; i++) {
          if (!(Math.abs(times[i] - values[i]) <= 0.5) || times[i] < 0 || (i > 0 && times[i] >= times[i - 1])) {
            throw new IllegalArgumentException("time " + times[i] + " at position " + i
                + " is not a decreasing value >= 0 within 1/2 of timestep " + values[i]);
          }
        }
      }
    }

    /** Integer timesteps (their times are themselves). */
    public Timesteps(int[] values) {
      this(values, null);
    }

    /** A copy of the timesteps. */
    @Override
    public int[] values() {
      return values.clone();
    }

    /** A copy of the unrounded times. */
    @Override
    public double[] times() {
      return times.clone();
    }

    /** Timestep at position {@code i}. */
    public int at(int i) {
      return values[i];
    }

    /** The unrounded time at position {@code i}. */
    public double time(int i) {
      return times[i];
    }

    /** The plan of positions {@code from} (inclusive) to {@code to} (exclusive), times included. */
    public Timesteps range(int from, int to) {
      return new Timesteps(Arrays.copyOfRange(values, from, to), Arrays.copyOfRange(times, from, to));
    }

    @Override
    public int steps() {
      return values.length;
    }

    @Override
    public Kind kind() {
      return Kind.TIMESTEPS;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Timesteps t && Arrays.equals(values, t.values) && Arrays.equals(times, t.times);
    }

    @Override
    public int hashCode() {
      return 31 * Arrays.hashCode(values) + Arrays.hashCode(times);
    }

    @Override
    public String toString() {
      for (int i = 0; i < values.length; i++) {
        if (times[i] != values[i]) {
          return "Timesteps" + Arrays.toString(values) + " at " + Arrays.toString(times);
        }
      }
      return "Timesteps" + Arrays.toString(values);
    }
  }

  /**
   * Decreasing σ values, the last usually 0; a sampler takes {@code length − 1} steps, from
   * σ<sub>i</sub> to σ<sub>i+1</sub>.
   *
   * @param values the σ values, first the largest
   */
  record Sigmas(double[] values) implements StepPlan {
    /** Validates and copies. */
    public Sigmas {
      if (values == null || values.length < 2) {
        throw new IllegalArgumentException("a sigma plan needs at least two sigmas (one step)");
      }
      values = values.clone();
      for (int i = 0; i < values.length; i++) {
        if (!(values[i] >= 0) || !Double.isFinite(values[i])) {
          throw new IllegalArgumentException("sigma " + values[i] + " at position " + i + " is not finite and >= 0");
        }
        if (i > 0 && values[i] >= values[i - 1]) {
          throw new IllegalArgumentException("sigmas must be strictly decreasing, got " + Arrays.toString(values));
        }
      }
    }

    /** A copy of the σ values. */
    @Override
    public double[] values() {
      return values.clone();
    }

    /** σ at position {@code i}. */
    public double at(int i) {
      return values[i];
    }

    @Override
    public int steps() {
      return values.length - 1;
    }

    @Override
    public Kind kind() {
      return Kind.SIGMAS;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Sigmas s && Arrays.equals(values, s.values);
    }

    @Override
    public int hashCode() {
      return Arrays.hashCode(values);
    }

    @Override
    public String toString() {
      return "Sigmas" + Arrays.toString(values);
    }
  }
}
