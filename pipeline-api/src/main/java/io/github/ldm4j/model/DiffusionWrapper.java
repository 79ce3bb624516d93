package io.github.ldm4j.model;

import io.github.ldm4j.tensor.Tensor;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * CompVis {@code DiffusionWrapper}: routes {@link Conditioning} into a {@link UNet}'s inputs with
 * {@link ConditioningKey#route} and checks the shapes on the way in and out. Owns the network.
 */
final class DiffusionWrapper implements Denoiser {

  private final UNet network;
  private final AtomicBoolean closed = new AtomicBoolean();

  DiffusionWrapper(UNet network) {
    this.network = Objects.requireNonNull(network, "network");
  }

  @Override
  public Parameterization parameterization() {
    return network.parameterization();
  }

  @Override
  public ConditioningKey conditioningKey() {
    return network.conditioningKey();
  }

  @Override
  public int latentChannels() {
    return network.outChannels();
  }

  @Override
  public Optional<FixedSize> fixedSampleSize() {
    return network.fixedSampleSize();
  }

  @Override
  public Tensor applyModel(Tensor x, Tensor t, Conditioning conditioning) {
    Objects.requireNonNull(x, "x");
    Objects.requireNonNull(t, "t");
    Objects.requireNonNull(conditioning, "conditioning");
    if (closed.get()) {
      throw new IllegalStateException("denoiser is closed");
    }
    if (x.rank() != 4 || x.dim(1) != latentChannels()) {
      throw new IllegalArgumentException(
          "x must be [B, " + latentChannels() + ", h, w], got shape " + x.shape());
    }
    if (t.rank() != 1 || t.dim(0) != x.dim(0)) {
      throw new IllegalArgumentException(
          "t must be [B] with B = " + x.dim(0) + ", got shape " + t.shape());
    }
    ConditioningKey.NetworkInputs in = conditioningKey().route(x, conditioning);
    if (in.sample().dim(1) != network.inChannels()) {
      throw new IllegalArgumentException(
          "network takes " + network.inChannels() + " input channels but routing produced "
              + in.sample().dim(1) + " (latent " + x.dim(1) + " + concat)");
    }
    Tensor out = network.forward(in.sample(), t, in.context());
    if (!out.shape().equals(x.shape())) {
      throw new IllegalStateException(
          "network returned shape " + out.shape() + " for latent " + x.shape());
    }
    return out;
  }

  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      network.close();
    }
  }
}
