package io.github.ldm4j.backend.onnx.bench;

import io.github.ldm4j.folder.ModelComponent;
import io.github.ldm4j.model.ConditioningKey;
import io.github.ldm4j.model.Parameterization;
import io.github.ldm4j.model.UNet;
import io.github.ldm4j.tensor.Tensor;
import java.util.Optional;

/** A {@link UNet} that times {@link #forward} into {@link CallTimes}; owns (and closes) the delegate. */
record TimedUNet(UNet delegate, CallTimes times) implements UNet {

  @Override
  public ConditioningKey conditioningKey() {
    return delegate.conditioningKey();
  }

  @Override
  public Parameterization parameterization() {
    return delegate.parameterization();
  }

  @Override
  public int inChannels() {
    return delegate.inChannels();
  }

  @Override
  public int outChannels() {
    return delegate.outChannels();
  }

  @Override
  public Tensor forward(Tensor sample, Tensor timesteps, Optional<Tensor> context) {
    return times.time(ModelComponent.UNET, () -> delegate.forward(sample, timesteps, context));
  }

  @Override
  public void close() {
    delegate.close();
  }
}
