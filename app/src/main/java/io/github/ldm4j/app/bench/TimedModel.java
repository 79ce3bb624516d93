package io.github.ldm4j.app.bench;

import io.github.ldm4j.backend.onnx.OnnxBackendProvider;
import io.github.ldm4j.folder.ModelComponent;
import io.github.ldm4j.folder.ModelFolder;
import io.github.ldm4j.generate.GenerationLimits;
import io.github.ldm4j.generate.Generator;
import io.github.ldm4j.generate.ModelAssembler;
import io.github.ldm4j.spi.BackendOptions;
import io.github.ldm4j.spi.BackendProvider;
import io.github.ldm4j.spi.Feed;
import io.github.ldm4j.spi.Network;
import io.github.ldm4j.spi.NetworkDescription;
import io.github.ldm4j.spi.NetworkRequest;
import io.github.ldm4j.spi.NetworkSet;
import io.github.ldm4j.spi.contract.TensorPort;
import io.github.ldm4j.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Opens a model folder through the one assembler on the {@code onnx} backend, with each network
 * run timed into {@link CallTimes}, so a generation's time inside network calls can be told from
 * the rest.
 */
final class TimedModel {

  private TimedModel() {}

  /** The folder's generator with timed networks, opened with {@code options}; the caller owns (and closes) it. */
  static Generator open(Path dir, BackendOptions options, CallTimes times, GenerationLimits limits) throws IOException {
    BackendProvider timed = new Timed(new OnnxBackendProvider(), times);
    return ModelAssembler.open(dir, timed.name(), options, limits, name -> timed);
  }

  /** The ONNX backend with every network's {@code run} timed. */
  private record Timed(BackendProvider delegate, CallTimes times) implements BackendProvider {
    @Override
    public String name() {
      return delegate.name();
    }

    @Override
    public boolean isAvailable() {
      return delegate.isAvailable();
    }

    @Override
    public Set<ModelFolder.Format> formats() {
      return delegate.formats();
    }

    @Override
    public NetworkSet open(NetworkRequest request) throws IOException {
      NetworkSet inner = delegate.open(request);
      Map<ModelComponent, Network> out = new EnumMap<>(ModelComponent.class);
      inner.networks().forEach((c, n) -> out.put(c, new TimedNetwork(n, times)));
      return new NetworkSet(out);
    }

    @Override
    public boolean overridesWeights() {
      return delegate.overridesWeights();
    }

    @Override
    public NetworkDescription describe(ModelFolder folder, ModelComponent component, BackendOptions options)
        throws IOException {
      return delegate.describe(folder, component, options);
    }
  }

  /** A network whose runs are timed; closing it closes the delegate. */
  private record TimedNetwork(Network delegate, CallTimes times) implements Network {
    @Override
    public ModelComponent component() {
      return delegate.component();
    }

    @Override
    public Path file() {
      return delegate.file();
    }

    @Override
    public Map<String, TensorPort> inputs() {
      return delegate.inputs();
    }

    @Override
    public Map<String, TensorPort> outputs() {
      return delegate.outputs();
    }

    @Override
    public List<Tensor> run(Map<String, Feed> feeds, List<String> outputs) {
      return times.time(delegate.component(), () -> delegate.run(feeds, outputs));
    }

    @Override
    public void close() {
      delegate.close();
    }
  }
}
