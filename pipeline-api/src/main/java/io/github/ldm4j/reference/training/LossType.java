package io.github.ldm4j.reference.training;

import java.util.Locale;

/** CompVis {@code loss_type}: the element-wise distance of {@code get_loss}. */
public enum LossType {
  /** |target − prediction|. */
  L1("l1"),
  /** (target − prediction)², as {@code mse_loss(reduction='none')}. */
  L2("l2");

  private final String compvisName;

  LossType(String compvisName) {
    this.compvisName = compvisName;
  }

  /** The CompVis name, {@code l1} or {@code l2}. */
  public String compvisName() {
    return compvisName;
  }

  /** Parses {@code l1} or {@code l2}, case-insensitively. */
  public static LossType fromName(String name) {
    String n = name == null ? "" : name.trim().toLowerCase(Locale.ROOT);
    for (LossType l : values()) {
      if (l.compvisName.equals(n)) {
        return l;
      }
    }
    throw new IllegalArgumentException("unknown loss type '" + name + "'; expected one of l1, l2");
  }

  /** The element loss for one prediction and target. */
  public double of(double prediction, double target) {
    double d = target - prediction;
    return switch (this) {
      case L1 -> Math.abs(d);
      case L2 -> d * d;
    };
  }
}
