package io.github.ldm4j.spi;

import java.io.IOException;
import java.util.List;

/**
 * Service-provider interface for hardware backends (ONNX Runtime, OpenVINO), found with {@link
 * java.util.ServiceLoader} and chosen by {@link #name()} — like DJL's engine providers. A provider
 * does no work and loads no native code in its constructor or static initialisers.
 */
public interface BackendProvider {

  /** The backend's name ({@code onnx}, {@code openvino}). */
  String name();

  /**
   * Whether the backend can run here (its runtime is on the class path / installed). Must not load
   * native libraries or have other side effects.
   */
  boolean isAvailable();

  /** Why the backend is not available, with what to install; empty when it is. */
  default String unavailableReason() {
    return "";
  }

  /**
   * Opens the model components in {@code source}. The caller owns the result and must close it.
   *
   * @throws IOException when model files are missing or unreadable (the message names the file)
   * @throws IllegalArgumentException for an unsupported model contract or option
   */
  ModelComponents open(ModelSource source, BackendOptions options) throws IOException;

  /**
   * Describes the networks of the model in {@code source} (components present, in {@link
   * io.github.ldm4j.folder.ModelComponent} order) without running them. The default says the
   * backend cannot.
   *
   * @throws IOException when model files are missing or unreadable (the message names the file)
   * @throws UnsupportedOperationException when the backend cannot describe networks
   */
  default List<NetworkDescription> describe(ModelSource source, BackendOptions options) throws IOException {
    throw new UnsupportedOperationException("backend '" + name() + "' cannot describe its networks");
  }
}
