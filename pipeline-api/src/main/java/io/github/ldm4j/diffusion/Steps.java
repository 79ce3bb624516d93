package io.github.ldm4j.diffusion;

import io.github.ldm4j.schedule.DiffusionSchedule;
import io.github.ldm4j.tensor.Tensor;
import java.util.Arrays;
import java.util.Objects;
import java.util.function.IntToDoubleFunction;

/**
 * Shared argument checks and the CompVis {@code extract_into_tensor} step: one schedule buffer
 * value per batch item.
 *
 * <p>The checks are public only so that the reference training maths ({@code
 * io.github.ldm4j.reference.training}) rejects bad input with the same messages as
 * the forward and reverse processes; nothing else outside this package needs them.
 */
public final class Steps {

  private Steps() {}

  /**
   * Checks that {@code t} holds one integer timestep in [0, T) per batch item of {@code x}.
   *
   * @return {@code t}
   */
  public static int[] checkTimesteps(String what, int[] t, Tensor x, DiffusionSchedule schedule) {
    Objects.requireNonNull(t, what);
    if (x.rank() < 1 || t.length != x.dim(0)) {
      throw new IllegalArgumentException(
          what + " must hold one timestep per batch item: got " + t.length + " for a tensor of shape " + x.shape());
    }
    int n = schedule.timesteps();
    for (int i = 0; i < t.length; i++) {
      if (t[i] < 0 || t[i] >= n) {
        throw new IllegalArgumentException(
            what + "[" + i + "] = " + t[i] + " is outside [0, " + n + ") in " + Arrays.toString(t));
      }
    }
    return t;
  }

  /** The buffer value for each batch item's timestep. */
  static double[] extract(int[] t, IntToDoubleFunction buffer) {
    double[] out = new double[t.length];
    for (int i = 0; i < t.length; i++) {
      out[i] = buffer.applyAsDouble(t[i]);
    }
    return out;
  }

  /** Checks that {@code x} is a finite batch tensor (rank ≥ 1). */
  public static Tensor checkBatch(String what, Tensor x) {
    Objects.requireNonNull(x, what);
    if (x.rank() < 1) {
      throw new IllegalArgumentException(what + " must have a batch axis, got shape " + x.shape());
    }
    return x.requireFinite(what);
  }

  /** Checks that {@code other} is finite and shaped like {@code reference}. */
  public static Tensor checkLike(String what, Tensor other, Tensor reference) {
    Objects.requireNonNull(other, what);
    reference.requireSameShape(what, other);
    return other.requireFinite(what);
  }

  /** The same timestep for every one of {@code batch} items. */
  static int[] uniform(int batch, int t) {
    int[] out = new int[batch];
    Arrays.fill(out, t);
    return out;
  }

  /** Throws {@link IllegalStateException} unless a model output is finite and shaped like x. */
  public static void checkModelOutput(Tensor out, Tensor x, String where) {
    if (out == null) {
      throw new IllegalStateException("the model returned null at " + where);
    }
    if (!out.shape().equals(x.shape())) {
      throw new IllegalStateException(
          "the model returned shape " + out.shape() + " for x of shape " + x.shape() + " at " + where);
    }
    if (!out.allFinite()) {
      throw new IllegalStateException("the model output at " + where + " contains non-finite values");
    }
  }
}
