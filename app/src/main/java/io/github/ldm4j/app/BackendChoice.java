package io.github.ldm4j.app;

import io.github.ldm4j.spi.BackendOptions;
import io.github.ldm4j.spi.Backends;
import picocli.CommandLine.Option;

/** {@code --backend} and {@code --device}, shared by the commands that open a model folder. */
final class BackendChoice {

  @Option(names = "--backend", defaultValue = "onnx", description = "Backend: ${DEFAULT-VALUE} (default) or openvino.")
  String backend;

  @Option(names = "--device", defaultValue = "cpu", description = "Device: onnx execution provider (cpu, cuda:0, "
      + "tensorrt:0, ...) or OpenVINO device (CPU, GPU, GPU.1, NPU, AUTO). Default: ${DEFAULT-VALUE}.")
  String device;

  /**
   * The backend name, checked against the registered ones.
   *
   * @throws IllegalArgumentException (a usage error) naming the registered backends
   */
  String backend() {
    if (!Backends.names().contains(backend)) {
      throw new IllegalArgumentException("--backend " + backend + " is unknown; registered: " + Backends.names());
    }
    return backend;
  }

  /** The backend options of {@code --device} (other settings at the backend's defaults). */
  BackendOptions options() {
    return new BackendOptions(device, 0, 0, false);
  }
}
