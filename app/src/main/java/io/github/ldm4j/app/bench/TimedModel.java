package io.github.ldm4j.app.bench;

import io.github.ldm4j.backend.onnx.OnnxBackendProvider;
import io.github.ldm4j.generate.GenerationLimits;
import io.github.ldm4j.generate.Generator;
import io.github.ldm4j.generate.ModelAssembler;
import io.github.ldm4j.spi.BackendOptions;
import io.github.ldm4j.spi.BackendProvider;
import io.github.ldm4j.spi.WrappingBackendProvider;
import java.io.IOException;
import java.nio.file.Path;

/**
 * Opens a model folder through the one assembler on the {@code onnx} backend, with each network
 * run timed into {@link CallTimes}, so a generation's time inside network calls can be told from
 * the rest.
 */
final class TimedModel {

  private TimedModel() {}

  /** The folder's generator with timed networks, opened with {@code options}; the caller owns (and closes) it. */
  static Generator open(Path dir, BackendOptions options, CallTimes times, GenerationLimits limits) throws IOException {
    BackendProvider timed = new WrappingBackendProvider(new OnnxBackendProvider(), times::time);
    return ModelAssembler.open(dir, timed.name(), options, limits, name -> timed);
  }
}
