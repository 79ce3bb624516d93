package io.github.ldm4j.backend.openvino;

import io.github.ldm4j.backend.conformance.BackendConformanceTest;
import io.github.ldm4j.spi.BackendProvider;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;

/**
 * The project's backend conformance suite ({@link BackendConformanceTest}, from the generate
 * module's test jar) on a real OpenVINO, every network from the provider bound to it, run
 * only when {@code -Dldm4j.openvino.library} names its {@code libopenvino_c.so} (skipped otherwise,
 * saying so); the command is in {@link RealOpenVinoConformanceTest}. CPU pinned to f32 inference
 * precision. Not run in this build environment (no OpenVINO here).
 */
class RealOpenVinoSuiteConformanceTest extends BackendConformanceTest {

  private static OpenVinoRuntime runtime;

  @BeforeAll
  static void loadOpenVino() {
    String lib = System.getProperty(OpenVinoLocator.PROPERTY);
    if (lib == null || lib.isBlank()) {
      String why = "real-OpenVINO backend conformance suite skipped: set -D" + OpenVinoLocator.PROPERTY
          + "=/path/to/libopenvino_c.so to run it (see backend-openvino/README.md)";
      System.err.println(why);
      Assumptions.abort(why);
    }
    runtime = OpenVinoRuntime.load(Path.of(lib));
  }

  /** As on the emulator: the binding's many small FFM calls per open warm the JVM up slowly. */
  @Override
  protected int warmUpCycles() {
    return OpenVinoEmulatorConformanceTest.FFM_WARM_UP_CYCLES;
  }

  /** The openvino provider bound to the loaded library, CPU inference pinned to f32. */
  @Override
  protected BackendProvider provider() {
    return new OpenVinoBackendProvider(runtime, OpenVinoOptions.DEFAULTS.withInferencePrecision(InferencePrecision.F32));
  }
}
