package io.github.ldm4j.conditioning.guidance.internal;

import io.github.ldm4j.model.Conditioning;
import io.github.ldm4j.tensor.Tensor;

/** Batch-axis operations on {@link Conditioning} values. */
public final class ConditioningBatch {

  private ConditioningBatch() {}

  /** The batch size of {@code c}, or −1 for {@link Conditioning.None}. */
  public static int batchSize(Conditioning c) {
    return switch (c) {
      case Conditioning.None n -> -1;
      case Conditioning.CrossAttn ca -> ca.context().dim(0);
      case Conditioning.Concat cc -> cc.channels().dim(0);
      case Conditioning.Hybrid h -> {
        if (h.context().dim(0) != h.channels().dim(0)) {
          throw new IllegalArgumentException(
              "hybrid conditioning: context batch " + h.context().dim(0) + " differs from concat batch "
                  + h.channels().dim(0));
        }
        yield h.context().dim(0);
      }
    };
  }

  /** Throws unless {@code a} and {@code b} are the same variant with tensors of equal shapes. */
  public static void requireSameShape(Conditioning a, Conditioning b, String hint) {
    if (a.key() != b.key()) {
      throw new IllegalArgumentException(
          "conditional and unconditional conditioning have different keys: " + a.key().compvisName() + " and "
              + b.key().compvisName());
    }
    switch (a) {
      case Conditioning.None n -> { }
      case Conditioning.CrossAttn ca -> same("context", ca.context(), ((Conditioning.CrossAttn) b).context(), hint);
      case Conditioning.Concat cc -> same("concat channels", cc.channels(), ((Conditioning.Concat) b).channels(), hint);
      case Conditioning.Hybrid h -> {
        same("context", h.context(), ((Conditioning.Hybrid) b).context(), hint);
        same("concat channels", h.channels(), ((Conditioning.Hybrid) b).channels(), hint);
      }
    }
  }

  private static void same(String what, Tensor a, Tensor b, String hint) {
    if (!a.shape().equals(b.shape())) {
      throw new IllegalArgumentException(
          "conditional and unconditional " + what + " differ in shape: " + a.shape() + " vs " + b.shape() + hint);
    }
  }

  /** {@code first} then {@code second} along the batch axis (same variant). */
  public static Conditioning concat(Conditioning first, Conditioning second) {
    return switch (first) {
      case Conditioning.None n -> first;
      case Conditioning.CrossAttn ca ->
          Conditioning.crossAttn(Tensor.concat(0, ca.context(), ((Conditioning.CrossAttn) second).context()));
      case Conditioning.Concat cc ->
          Conditioning.concat(Tensor.concat(0, cc.channels(), ((Conditioning.Concat) second).channels()));
      case Conditioning.Hybrid h -> {
        Conditioning.Hybrid s = (Conditioning.Hybrid) second;
        yield Conditioning.hybrid(Tensor.concat(0, h.context(), s.context()), Tensor.concat(0, h.channels(), s.channels()));
      }
    };
  }
}
