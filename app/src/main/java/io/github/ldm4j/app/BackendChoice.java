package io.github.ldm4j.app;

import io.github.ldm4j.spi.BackendOptions;
import io.github.ldm4j.spi.Backends;
import io.github.ldm4j.spi.Placement;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code --backend}, {@code --device}, {@code --place} and the runtime knobs ({@link TuningOptions}),
 * shared by the commands that open a model folder.
 */
final class BackendChoice {

  @Option(names = "--backend", defaultValue = "onnx", description = "Backend: ${DEFAULT-VALUE} (default) or openvino.")
  String backend;

  @Option(names = "--device", defaultValue = "cpu", description = "Device: onnx execution provider (cpu, cuda:0, "
      + "tensorrt:0, ...) or OpenVINO device (CPU, GPU, GPU.1, NPU, AUTO). Default: ${DEFAULT-VALUE}.")
  String device;

  @Option(names = "--place", paramLabel = "COMPONENT=BACKEND[:DEVICE]", description = "Run one network elsewhere: "
      + "text_encoder, unet, vae_decoder or vae_encoder on a backend and device, e.g. --place unet=onnx:cuda:0 "
      + "--place text_encoder=openvino:CPU (device omitted: --device). Repeatable.")
  Map<String, String> placement = new LinkedHashMap<>();

  @Mixin TuningOptions tuning = new TuningOptions();

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

  /**
   * The backend options of {@code --device}, {@code --place} and the runtime knobs (those not given at
   * {@link BackendOptions#DEFAULTS}).
   *
   * @throws IllegalArgumentException (a usage error) for an unknown component, a blank placement or a
   *     bad knob
   */
  BackendOptions options() {
    Map<io.github.ldm4j.folder.ModelComponent, Placement> placed = Placement.parseEach(placement, device);
    for (Placement p : placed.values()) {
      if (!Backends.names().contains(p.backend())) {
        throw new IllegalArgumentException(
            "--place " + p + ": unknown backend '" + p.backend() + "'; registered: " + Backends.names());
      }
    }
    return tuning.apply(new BackendOptions(device, 0, 0, false, placed));
  }
}
