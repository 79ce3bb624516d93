package io.github.ldm4j.backend.openvino;

import io.github.ldm4j.folder.ModelComponent;
import io.github.ldm4j.folder.ModelFolder;
import io.github.ldm4j.spi.BackendOptions;
import io.github.ldm4j.spi.BackendProvider;
import io.github.ldm4j.spi.NetworkDescription;
import io.github.ldm4j.spi.NetworkRequest;
import io.github.ldm4j.spi.NetworkSet;
import java.io.IOException;
import java.util.Set;

/**
 * The {@code openvino} backend: Intel OpenVINO 2024+ through its C API, found on this machine by
 * {@link OpenVinoLocator} (or installed by the application with {@link OpenVinoRuntime#install}).
 * Availability only looks for the library file; nothing is loaded until a model is opened.
 */
public final class OpenVinoBackendProvider implements BackendProvider {

  /** The backend's name. */
  public static final String NAME = "openvino";

  private final OpenVinoRuntime runtime;
  private final OpenVinoOptions base;

  /** The process-wide runtime, default options. Used by {@link java.util.ServiceLoader}. */
  public OpenVinoBackendProvider() {
    this(null, OpenVinoOptions.DEFAULTS);
  }

  /**
   * A provider bound to {@code runtime} (an OpenVINO loaded by the caller) with {@code base} options
   * (hints, cache, shapes, pools); each request's devices and threads are placed over them.
   */
  public OpenVinoBackendProvider(OpenVinoRuntime runtime, OpenVinoOptions base) {
    this.runtime = runtime;
    this.base = java.util.Objects.requireNonNull(base, "base");
  }

  private OpenVinoRuntime runtime() {
    return runtime != null ? runtime : OpenVinoRuntime.shared();
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public boolean isAvailable() {
    return runtime != null || OpenVinoRuntime.installedRuntime().isPresent() || OpenVinoLocator.system().locate().library().isPresent();
  }

  @Override
  public String unavailableReason() {
    if (runtime != null || OpenVinoRuntime.installedRuntime().isPresent()) {
      return "";
    }
    OpenVinoLocator.Location where = OpenVinoLocator.system().locate();
    return where.library().isPresent() ? "" : where.notFoundMessage();
  }

  @Override
  public Set<ModelFolder.Format> formats() {
    return OpenVinoBackend.FORMATS;
  }

  @Override
  public NetworkSet open(NetworkRequest request) throws IOException {
    if (!request.overrides().isEmpty()) {
      // OpenVINO's C API (what ldm4j binds) has no call that replaces a read model's constants before compiling it;
      // callers with LoRAs convert with the LoRAs merged instead
      throw new IllegalArgumentException("the openvino backend cannot replace a network's weights at load time ("
          + request.overrides() + "): apply LoRAs by converting the checkpoint with them merged "
          + "(CheckpointFolders with SdFolderExport.withLoras), as the CLI and ldm4j's checkpoint sources do for this backend; "
          + "textual-inversion embeddings need the onnx backend");
    }
    BackendOptions o = request.options();
    OpenVinoOptions threaded = o.intraOpThreads() > 0 ? base.withInferenceThreads(o.intraOpThreads()) : base;
    return OpenVinoBackend.open(request,
        o.modelCache().isPresent() ? threaded.withCacheDir(o.modelCache().get()) : threaded, runtime());
  }

  @Override
  public NetworkDescription describe(ModelFolder folder, ModelComponent component, BackendOptions options)
      throws IOException {
    return OpenVinoBackend.describe(folder, component, runtime());
  }
}
