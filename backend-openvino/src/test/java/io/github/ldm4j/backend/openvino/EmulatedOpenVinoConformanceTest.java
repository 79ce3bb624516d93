package io.github.ldm4j.backend.openvino;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.ldm4j.backend.openvino.emulator.OvEmulator;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * The conformance suite on the OpenVINO C-API emulator (always run): every downcall, struct layout
 * and ownership rule of the binding runs for real, the arithmetic is ONNX Runtime's on the same
 * files — so the backends must agree to the last bit — and each test ends with the emulator's
 * leak and double-free check.
 */
class EmulatedOpenVinoConformanceTest extends OpenVinoConformance {

  private OvEmulator emulator;
  private OpenVinoRuntime runtime;

  @BeforeEach
  void startEmulator() {
    emulator = new OvEmulator(List.of("CPU", "GPU.0", "NPU"));
    runtime = emulator.runtime();
  }

  @AfterEach
  void checkOwnership() {
    assertThat(emulator.problems()).isEmpty();
    emulator.close();
  }

  @Override
  protected OpenVinoRuntime runtime() {
    return runtime;
  }

  @Override
  protected double tolerance() {
    return 1e-5;
  }

  @Override
  protected double imageTolerance() {
    return 0.5;
  }
}
