package io.github.ldm4j.testsupport;

import io.github.ldm4j.model.ConditioningKey;
import io.github.ldm4j.model.Parameterization;
import io.github.ldm4j.model.UNet;
import io.github.ldm4j.tensor.Tensor;
import java.util.Optional;

/**
 * A 9-channel inpainting UNet whose output exposes the routed input channels, so tests can check by
 * hand which tensor reached which channel (shared with the conditioning tests through this module's
 * test-jar).
 */
public final class NineChannelUNet implements UNet {
  private final ConditioningKey key;

  /** A UNet declaring {@code key}. */
  public NineChannelUNet(ConditioningKey key) {
    this.key = key;
  }

  @Override public ConditioningKey conditioningKey() {
    return key;
  }

  @Override public Parameterization parameterization() {
    return Parameterization.EPS;
  }

  @Override public int inChannels() {
    return 9;
  }

  @Override public int outChannels() {
    return 4;
  }

  /** out[c] = sample[c] + 10·sample[4] (mask) + 100·sample[5 + c] (masked latent) + Σcontext. */
  @Override public Tensor forward(Tensor sample, Tensor t, Optional<Tensor> context) {
    int hw = sample.dim(2) * sample.dim(3);
    Tensor out = Tensor.zeros(sample.dim(0), 4, sample.dim(2), sample.dim(3));
    for (int b = 0; b < sample.dim(0); b++) {
      double ctx = context.isPresent() ? context.get().batch(b).sum() : 0;
      for (int c = 0; c < 4; c++) {
        for (int p = 0; p < hw; p++) {
          double v = sample.get((b * 9 + c) * hw + p) + 10 * sample.get((b * 9 + 4) * hw + p)
              + 100 * sample.get((b * 9 + 5 + c) * hw + p) + ctx;
          out.set((b * 4 + c) * hw + p, (float) v);
        }
      }
    }
    return out;
  }
}