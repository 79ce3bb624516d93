package io.github.ldm4j.spi;

import io.github.ldm4j.folder.ModelComponent;
import io.github.ldm4j.spi.contract.TensorPort;
import io.github.ldm4j.tensor.Tensor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A network opened on first use: the VAE encoder of a model that serves only text-to-image is never
 * opened (its session costs time to open and memory to hold). The first call to {@link #inputs},
 * {@link #outputs} or {@link #run} opens it, once, whichever thread comes first; a failed open is
 * reported to that caller (an {@link UncheckedIOException} naming the file) and tried again by the
 * next.
 *
 * <p><b>Ownership:</b> owns the network it opens; {@link #close()} closes it if it was opened and
 * is idempotent; any use after close throws {@link IllegalStateException} and opens nothing.
 */
public final class LazyNetwork implements Network {

  private final ModelComponent component;
  private final Path file;
  private final NetworkSet.Opener opener;
  private Network network;
  private boolean closed;

  /**
   * A network that {@code opener} opens on first use.
   *
   * @param file the network file {@code opener} will open (for messages before it is opened)
   */
  public LazyNetwork(ModelComponent component, Path file, NetworkSet.Opener opener) {
    this.component = Objects.requireNonNull(component, "component");
    this.file = Objects.requireNonNull(file, "file");
    this.opener = Objects.requireNonNull(opener, "opener");
  }

  /** Whether the network has been opened (and not closed). */
  public synchronized boolean isOpen() {
    return network != null && !closed;
  }

  private synchronized Network network() {
    if (closed) {
      throw new IllegalStateException(component.folderName() + " network is closed");
    }
    if (network == null) {
      try {
        network = opener.open(component);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot open " + what() + ": " + e.getMessage(), e);
      }
    }
    return network;
  }

  @Override
  public ModelComponent component() {
    return component;
  }

  @Override
  public Path file() {
    return file;
  }

  @Override
  public Map<String, TensorPort> inputs() {
    return network().inputs();
  }

  @Override
  public Map<String, TensorPort> outputs() {
    return network().outputs();
  }

  @Override
  public List<Tensor> run(Map<String, Feed> feeds, List<String> outputs) {
    return network().run(feeds, outputs);
  }

  @Override
  public void close() {
    Network opened;
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
      opened = network;
    }
    if (opened != null) {
      opened.close();
    }
  }

  @Override
  public String toString() {
    return "LazyNetwork[" + what() + (isOpen() ? ", open" : "") + "]";
  }
}
