package io.github.ldm4j.spi;

import java.util.List;

/** Finds {@link BackendProvider}s by name. */
public final class Backends {

  private Backends() {}

  /** Names of every registered backend, available or not, sorted. */
  public static List<String> names() {
    return NamedServices.names(BackendProvider.class, BackendProvider::name);
  }

  /**
   * The available backend registered as {@code name}.
   *
   * @throws IllegalArgumentException for an unknown name (listing the registered ones)
   * @throws IllegalStateException when the backend is registered but cannot run here (with its reason)
   */
  public static BackendProvider find(String name) {
    BackendProvider p = NamedServices.find(BackendProvider.class, BackendProvider::name, "backend", name);
    if (!p.isAvailable()) {
      throw new IllegalStateException("backend '" + p.name() + "' is not available: " + p.unavailableReason());
    }
    return p;
  }
}
