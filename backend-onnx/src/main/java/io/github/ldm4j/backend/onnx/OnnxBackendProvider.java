package io.github.ldm4j.backend.onnx;

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
 * The {@code onnx} backend: ONNX Runtime from {@code com.microsoft.onnxruntime:onnxruntime} (or
 * {@code onnxruntime_gpu}). Availability is checked without loading the native library.
 */
public final class OnnxBackendProvider implements BackendProvider {

  /** The backend's name. */
  public static final String NAME = "onnx";

  private final java.util.Optional<OnnxOptions> base;

  /** Options from each request ({@link OnnxOptions#from}). Used by {@link java.util.ServiceLoader}. */
  public OnnxBackendProvider() {
    this.base = java.util.Optional.empty();
  }

  /**
   * A provider with ONNX-specific {@code base} options (graph optimisation, optimised-model cache,
   * arena, threads); each request's devices are placed over them.
   */
  public OnnxBackendProvider(OnnxOptions base) {
    this.base = java.util.Optional.of(base);
  }

  private OnnxOptions options(BackendOptions options) {
    return base.orElseGet(() -> OnnxOptions.from(options));
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public boolean isAvailable() {
    try {
      Class.forName("ai.onnxruntime.OrtEnvironment", false, OnnxBackendProvider.class.getClassLoader());
      return true;
    } catch (ClassNotFoundException e) {
      return false;
    }
  }

  @Override
  public String unavailableReason() {
    return isAvailable() ? "" : "ONNX Runtime is not on the class path: add com.microsoft.onnxruntime:onnxruntime (CPU) or onnxruntime_gpu (CUDA/TensorRT)";
  }

  @Override
  public Set<ModelFolder.Format> formats() {
    return OnnxBackend.FORMATS;
  }

  @Override
  public NetworkSet open(NetworkRequest request) throws IOException {
    return OnnxBackend.open(request, options(request.options()));
  }

  /** Yes: replaced weights are ONNX Runtime user-supplied initializers ({@link OnnxBackend#open(NetworkRequest, OnnxOptions)}). */
  @Override
  public boolean overridesWeights() {
    return true;
  }

  @Override
  public NetworkDescription describe(ModelFolder folder, ModelComponent component, BackendOptions options)
      throws IOException {
    return OnnxBackend.describe(folder, component, options(options));
  }
}
