package io.github.ldm4j.backend.openvino;

import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;

/**
 * The conformance suite on a real OpenVINO runtime, run only when {@code -Dldm4j.openvino.library}
 * names its {@code libopenvino_c.so} (skipped otherwise, saying so):
 *
 * <pre>
 * ./mvnw -B -pl backend-openvino -am verify -Dldm4j.openvino.library=/opt/intel/openvino_2024/runtime/lib/intel64/libopenvino_c.so
 * </pre>
 *
 * The CPU is pinned to f32 inference precision so OpenVINO's kernels are comparable with ONNX
 * Runtime's; agreement is then to fp32 rounding of different kernels, not to the bit.
 */
class RealOpenVinoConformanceTest extends OpenVinoConformance {

  private static OpenVinoRuntime runtime;

  @BeforeAll
  static void loadOpenVino() {
    String lib = System.getProperty(OpenVinoLocator.PROPERTY);
    if (lib == null || lib.isBlank()) {
      String why = "real-OpenVINO conformance skipped: set -D" + OpenVinoLocator.PROPERTY
          + "=/path/to/libopenvino_c.so to run it (see backend-openvino/README.md)";
      System.err.println(why);
      Assumptions.abort(why);
    }
    runtime = OpenVinoRuntime.load(Path.of(lib));
    System.err.println("real-OpenVINO conformance on " + runtime.library() + " (" + runtime.version() + "), devices "
        + runtime.availableDevices());
  }

  @Override
  protected OpenVinoRuntime runtime() {
    return runtime;
  }

  @Override
  protected OpenVinoOptions options() {
    return OpenVinoOptions.DEFAULTS.withInferencePrecision(InferencePrecision.F32);
  }

  @Override
  protected double tolerance() {
    return 2e-3;
  }

  @Override
  protected double imageTolerance() {
    return 2.0;
  }
}
