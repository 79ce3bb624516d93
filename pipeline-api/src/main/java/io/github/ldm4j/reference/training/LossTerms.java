package io.github.ldm4j.reference.training;

import java.util.Arrays;

/**
 * The terms of one {@code p_losses} evaluation, as the CompVis {@code loss_dict} reports them.
 *
 * @param lossSimple {@code loss_simple}: mean over the batch of the per-item simple loss
 * @param lossVlb {@code loss_vlb}: mean over the batch of lvlb_weight[t]·per-item loss
 * @param loss {@code loss}: l_simple_weight·mean(loss_simple/exp(logvar) + logvar) +
 *     original_elbo_weight·loss_vlb
 * @param perItem the per-item simple loss (the element loss averaged over all non-batch axes)
 */
public record LossTerms(double lossSimple, double lossVlb, double loss, double[] perItem) {

  /** Copies. */
  public LossTerms {
    perItem = perItem.clone();
  }

  /** Copy of the per-item simple losses. */
  @Override
  public double[] perItem() {
    return perItem.clone();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof LossTerms l && Double.compare(lossSimple, l.lossSimple) == 0
        && Double.compare(lossVlb, l.lossVlb) == 0 && Double.compare(loss, l.loss) == 0
        && Arrays.equals(perItem, l.perItem);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(new double[] {lossSimple, lossVlb, loss}) * 31 + Arrays.hashCode(perItem);
  }

  @Override
  public String toString() {
    return "LossTerms[loss_simple=" + lossSimple + ", loss_vlb=" + lossVlb + ", loss=" + loss + "]";
  }
}
