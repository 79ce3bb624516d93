package io.github.ldm4j.backend.onnx;

import io.github.ldm4j.backend.conformance.BackendConformanceTest;
import io.github.ldm4j.spi.BackendProvider;
import io.github.ldm4j.spi.Backends;
import io.github.ldm4j.spi.ModelComponents;
import java.io.IOException;
import java.nio.file.Path;

/** The backend conformance suite on ONNX Runtime (CPU), over every tiny-SD flavor, precision and variant. */
class OnnxConformanceTest extends BackendConformanceTest {

  @Override
  protected ModelComponents open(Path modelDir) throws IOException {
    return OnnxBackend.open(modelDir);
  }

  @Override
  protected BackendProvider provider() {
    return Backends.find(OnnxBackendProvider.NAME);
  }
}
