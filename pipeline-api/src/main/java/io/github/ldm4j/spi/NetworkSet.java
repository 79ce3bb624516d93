package io.github.ldm4j.spi;

import io.github.ldm4j.folder.ModelComponent;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Networks opened together, by component.
 *
 * <p><b>Ownership:</b> owns every network in it; {@link #close()} closes each once (later calls do
 * nothing) and reports the first failure with the others suppressed. {@link #release} hands the
 * networks to a new owner instead.
 */
public final class NetworkSet implements AutoCloseable {

  private final Map<ModelComponent, Network> networks;
  private final AtomicBoolean closed = new AtomicBoolean();

  /** Takes ownership of {@code networks}. */
  public NetworkSet(Map<ModelComponent, ? extends Network> networks) {
    Objects.requireNonNull(networks, "networks");
    this.networks = networks.isEmpty() ? Map.of() : new EnumMap<>(networks);
  }

  /** The network of {@code component}, if this set has one. */
  public Optional<Network> get(ModelComponent component) {
    return Optional.ofNullable(networks.get(component));
  }

  /** The networks by component. */
  public Map<ModelComponent, Network> networks() {
    return Map.copyOf(networks);
  }

  /**
   * Opens networks one by one with {@code opener}; when one fails, closes those opened so far and
   * rethrows (the close failures suppressed).
   *
   * @throws java.io.IOException from {@code opener}
   */
  public static NetworkSet openEach(Collection<ModelComponent> components, Opener opener) throws java.io.IOException {
    Map<ModelComponent, Network> opened = new EnumMap<>(ModelComponent.class);
    try {
      for (ModelComponent c : components) {
        opened.put(c, opener.open(c));
      }
      return new NetworkSet(opened);
    } catch (java.io.IOException | RuntimeException e) {
      closeAfterFailure(e, List.copyOf(opened.values()));
      throw e;
    }
  }

  /** Opens the network of one component. */
  @FunctionalInterface
  public interface Opener {
    /** Opens {@code component}'s network. */
    Network open(ModelComponent component) throws java.io.IOException;
  }

  /**
   * Closes every one of {@code resources} (in order), returning the first failure with the others
   * suppressed, or null when all closed. The one place "close all, keep the first failure" lives.
   *
   * @param what what is being closed, for the failure's message
   */
  public static RuntimeException closeAll(String what, List<? extends AutoCloseable> resources) {
    RuntimeException failure = null;
    for (AutoCloseable c : resources) {
      if (c == null) {
        continue;
      }
      try {
        c.close();
      } catch (Exception e) {
        if (failure == null) {
          failure = new IllegalStateException(what + " failed: " + e.getMessage(), e);
        } else {
          failure.addSuppressed(e);
        }
      }
    }
    return failure;
  }

  /**
   * Closes every one of {@code resources} because {@code primary} happened while they were being set
   * up; close failures are added to {@code primary} as suppressed exceptions.
   */
  public static void closeAfterFailure(Throwable primary, List<? extends AutoCloseable> resources) {
    RuntimeException f = closeAll("closing after a failure", resources);
    if (f != null) {
      primary.addSuppressed(f);
    }
  }

  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    RuntimeException f = closeAll("closing networks", new ArrayList<>(networks.values()));
    if (f != null) {
      throw f;
    }
  }
}
