package io.github.ldm4j.backend.onnx;

import io.github.ldm4j.backend.conformance.BackendConformanceTest;
import io.github.ldm4j.spi.BackendProvider;
import io.github.ldm4j.spi.Backends;

/**
 * The backend conformance suite on ONNX Runtime (CPU), over every tiny-SD flavor, precision and
 * variant, with the provider as {@link java.util.ServiceLoader} finds it. (It runs in this module
 * because the suite opens models through the assembler, which lives here.)
 */
class OnnxConformanceTest extends BackendConformanceTest {

  @Override
  protected BackendProvider provider() {
    return Backends.find(OnnxBackendProvider.NAME);
  }
}
