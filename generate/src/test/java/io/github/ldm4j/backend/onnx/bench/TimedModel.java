package io.github.ldm4j.backend.onnx.bench;

import io.github.ldm4j.backend.onnx.OnnxBackendProvider;
import io.github.ldm4j.backend.onnx.OnnxOptions;
import io.github.ldm4j.generate.GenerationLimits;
import io.github.ldm4j.generate.Generator;
import io.github.ldm4j.generate.ModelAssembler;
import io.github.ldm4j.generate.WrappingProvider;
import io.github.ldm4j.spi.BackendOptions;
import io.github.ldm4j.spi.BackendProvider;
import java.io.IOException;
import java.nio.file.Path;

/**
 * Opens a model folder through the one assembler on the {@code onnx} backend, with each network
 * run timed into {@link CallTimes}, so a generation's time inside network calls can be told from
 * the rest.
 */
final class TimedModel {

  private TimedModel() {}

  /** The folder's generator with timed networks; the caller owns (and closes) it. */
  static Generator open(Path dir, OnnxOptions options, CallTimes times, GenerationLimits limits) throws IOException {
    BackendProvider timed = new WrappingProvider(new OnnxBackendProvider(options), times::time);
    return ModelAssembler.open(dir, timed.name(), BackendOptions.DEFAULTS, limits, name -> timed);
  }
}
