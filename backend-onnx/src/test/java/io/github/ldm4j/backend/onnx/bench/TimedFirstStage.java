package io.github.ldm4j.backend.onnx.bench;

import io.github.ldm4j.folder.ModelComponent;
import io.github.ldm4j.model.FirstStage;
import io.github.ldm4j.model.LatentDistribution;
import io.github.ldm4j.tensor.Tensor;

/** A {@link FirstStage} that times encode and decode into {@link CallTimes}; owns (and closes) the delegate. */
record TimedFirstStage(FirstStage delegate, CallTimes times) implements FirstStage {

  @Override
  public int latentChannels() {
    return delegate.latentChannels();
  }

  @Override
  public int downsamplingFactor() {
    return delegate.downsamplingFactor();
  }

  @Override
  public double scaleFactor() {
    return delegate.scaleFactor();
  }

  @Override
  public boolean canEncode() {
    return delegate.canEncode();
  }

  @Override
  public LatentDistribution encode(Tensor image) {
    return times.time(ModelComponent.VAE_ENCODER, () -> delegate.encode(image));
  }

  @Override
  public Tensor decode(Tensor latent) {
    return times.time(ModelComponent.VAE_DECODER, () -> delegate.decode(latent));
  }

  @Override
  public void close() {
    delegate.close();
  }
}
