package io.github.ldm4j.export.onnx;

/** Where a written model keeps its initializer contents. */
public enum WeightStorage {
  /** Everything inside {@code model.onnx} (protobuf caps a file at 2 GiB). */
  INLINE,
  /**
   * Initializers of at least {@link OnnxModelWriter#EXTERNAL_MIN_BYTES} bytes go to
   * {@link OnnxModelWriter#EXTERNAL_DATA_FILE} next to the model file, as large exports do.
   */
  EXTERNAL,
  /** {@link #EXTERNAL} when the initializers exceed {@link OnnxModelWriter#AUTO_EXTERNAL_BYTES}, else {@link #INLINE}. */
  AUTO
}
