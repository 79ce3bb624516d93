package io.github.ldm4j.backend.onnx.bench;

import io.github.ldm4j.folder.ModelComponent;
import io.github.ldm4j.model.LayerNorm;
import io.github.ldm4j.model.TextEncoder;
import io.github.ldm4j.model.TextEncoding;
import io.github.ldm4j.tensor.Tensor;
import java.util.Optional;

/**
 * A {@link TextEncoder} that times {@link #encode} and {@link #encodeContext} (each delegated
 * once, so nothing is counted twice); owns (and closes) the delegate.
 */
record TimedTextEncoder(TextEncoder delegate, CallTimes times) implements TextEncoder {

  @Override
  public int hiddenSize() {
    return delegate.hiddenSize();
  }

  @Override
  public int maxLength() {
    return delegate.maxLength();
  }

  @Override
  public TextEncoding encode(int[][] inputIds) {
    return times.time(ModelComponent.TEXT_ENCODER, () -> delegate.encode(inputIds));
  }

  @Override
  public Optional<LayerNorm> finalLayerNorm() {
    return delegate.finalLayerNorm();
  }

  @Override
  public Tensor encodeContext(int[][] inputIds, int clipSkip) {
    return times.time(ModelComponent.TEXT_ENCODER, () -> delegate.encodeContext(inputIds, clipSkip));
  }

  @Override
  public void close() {
    delegate.close();
  }
}
