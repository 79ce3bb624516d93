package io.github.ldm4j.backend.openvino;

import io.github.ldm4j.backend.conformance.BackendConformanceTest;
import io.github.ldm4j.spi.BackendProvider;
import io.github.ldm4j.spi.ModelComponents;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;

/**
 * The project's backend conformance suite ({@link BackendConformanceTest}) on a real OpenVINO, run
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

  @Override
  protected ModelComponents open(Path modelDir) throws IOException {
    return OpenVinoBackend.open(modelDir, OpenVinoOptions.DEFAULTS.withInferencePrecision(InferencePrecision.F32), runtime);
  }

  @Override
  protected BackendProvider provider() {
    return OpenVinoEmulatorConformanceTest.registeredProvider();
  }
}
