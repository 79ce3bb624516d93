package io.github.ldm4j.spi;

import io.github.ldm4j.folder.ModelComponent;
import io.github.ldm4j.folder.ModelFolder;
import io.github.ldm4j.spi.contract.TensorPort;
import io.github.ldm4j.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Supplier;

/**
 * A backend whose networks are {@code delegate}'s, each {@link Network#run} passed through {@code
 * around}: to time the calls ({@code ./ldm4j bench}), or in tests to watch or corrupt them. Name,
 * availability, formats, weight replacement and descriptions are the delegate's. Not registered as
 * a service: hand it to {@code ModelAssembler.open} as the backend lookup.
 *
 * <p><b>Ownership:</b> the {@link NetworkSet} {@link #open} returns owns the wrapped networks; closing
 * a wrapped network closes the delegate's network and its native memory (idempotent, as every
 * network's close).
 *
 * @param delegate the real backend
 * @param around what happens around each run
 */
public record WrappingBackendProvider(BackendProvider delegate, Around around) implements BackendProvider {

  /** Code around one network run. */
  @FunctionalInterface
  public interface Around {
    /** Runs {@code call} (or not) for {@code component} and returns the outputs. */
    List<Tensor> run(ModelComponent component, Supplier<List<Tensor>> call);
  }

  /** Validates. */
  public WrappingBackendProvider {
    Objects.requireNonNull(delegate, "delegate");
    Objects.requireNonNull(around, "around");
  }

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
    inner.networks().forEach((c, n) -> out.put(c, new Wrapped(n, around)));
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

  private record Wrapped(Network delegate, Around around) implements Network {
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
      return around.run(delegate.component(), () -> delegate.run(feeds, outputs));
    }

    @Override
    public void close() {
      delegate.close();
    }
  }
}
