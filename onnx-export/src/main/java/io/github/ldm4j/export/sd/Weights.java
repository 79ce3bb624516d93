package io.github.ldm4j.export.sd;

import io.github.ldm4j.export.onnx.TensorValues;

/**
 * Where the parameters of the SD graphs come from. The builders ask for every parameter by its
 * diffusers / transformers module name and shape ({@link ParameterSpec}); a source answers with the
 * values, produced lazily when the graph is written (so building a full-size graph costs nothing).
 * Seeded random weights (tests, benchmarks) and the weights of a checkpoint file are sources.
 */
@FunctionalInterface
public interface Weights {

  /**
   * The values of {@code parameter}, in row-major order of its {@link ParameterSpec#dims()}.
   *
   * @throws IllegalArgumentException when the source has no such parameter or another shape
   */
  TensorValues.FloatFiller values(ParameterSpec parameter);

  /**
   * A source for graphs built only to be inspected (parameter counts, shapes): asking it for values
   * fails, naming the parameter.
   */
  static Weights structureOnly() {
    return p -> (start, dst, count) -> {
      throw new IllegalStateException("graph built for its structure only: no values for " + p.name());
    };
  }
}
