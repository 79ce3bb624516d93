package io.github.ldm4j.backend.onnx;

/** ONNX Runtime graph optimisation level ({@code GraphOptimizationLevel}). */
public enum GraphOptimization {
  /** No graph optimisation. */
  DISABLED,
  /** Constant folding and redundant-node elimination. */
  BASIC,
  /** Basic plus node fusions. */
  EXTENDED,
  /** Everything, layout optimisations included (ONNX Runtime's default). */
  ALL
}
