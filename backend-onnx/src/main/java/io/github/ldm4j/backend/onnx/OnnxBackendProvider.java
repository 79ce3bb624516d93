package io.github.ldm4j.backend.onnx;

import io.github.ldm4j.spi.BackendOptions;
import io.github.ldm4j.spi.BackendProvider;
import io.github.ldm4j.spi.ModelComponents;
import io.github.ldm4j.spi.ModelSource;
import io.github.ldm4j.spi.NetworkDescription;
import java.io.IOException;
import java.util.List;

/**
 * The {@code onnx} backend: ONNX Runtime from {@code com.microsoft.onnxruntime:onnxruntime} (or
 * {@code onnxruntime_gpu}). Availability is checked without loading the native library.
 */
public final class OnnxBackendProvider implements BackendProvider {

  /** The backend's name. */
  public static final String NAME = "onnx";

  /** Used by {@link java.util.ServiceLoader}. */
  public OnnxBackendProvider() {}

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
  public ModelComponents open(ModelSource source, BackendOptions options) throws IOException {
    return OnnxBackend.open(source.directory(), OnnxOptions.from(options));
  }

  @Override
  public List<NetworkDescription> describe(ModelSource source, BackendOptions options) throws IOException {
    return OnnxBackend.describe(source.directory(), OnnxOptions.from(options));
  }
}
