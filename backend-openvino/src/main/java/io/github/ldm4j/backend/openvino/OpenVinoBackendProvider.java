package io.github.ldm4j.backend.openvino;

import io.github.ldm4j.spi.BackendOptions;
import io.github.ldm4j.spi.BackendProvider;
import io.github.ldm4j.spi.ModelComponents;
import io.github.ldm4j.spi.ModelSource;
import io.github.ldm4j.spi.NetworkDescription;
import java.io.IOException;
import java.util.List;

/**
 * The {@code openvino} backend: Intel OpenVINO 2024+ through its C API, found on this machine by
 * {@link OpenVinoLocator} (or installed by the application with {@link OpenVinoRuntime#install}).
 * Availability only looks for the library file; nothing is loaded until a model is opened.
 */
public final class OpenVinoBackendProvider implements BackendProvider {

  /** The backend's name. */
  public static final String NAME = "openvino";

  /** Used by {@link java.util.ServiceLoader}. */
  public OpenVinoBackendProvider() {}

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public boolean isAvailable() {
    return OpenVinoRuntime.installedRuntime().isPresent() || OpenVinoLocator.system().locate().library().isPresent();
  }

  @Override
  public String unavailableReason() {
    if (OpenVinoRuntime.installedRuntime().isPresent()) {
      return "";
    }
    OpenVinoLocator.Location where = OpenVinoLocator.system().locate();
    return where.library().isPresent() ? "" : where.notFoundMessage();
  }

  @Override
  public ModelComponents open(ModelSource source, BackendOptions options) throws IOException {
    return OpenVinoBackend.open(source.directory(), OpenVinoOptions.from(options), OpenVinoRuntime.shared());
  }

  @Override
  public List<NetworkDescription> describe(ModelSource source, BackendOptions options) throws IOException {
    return OpenVinoBackend.describe(source.directory(), OpenVinoRuntime.shared());
  }
}
