package io.github.ldm4j.random;

import java.util.Locale;

/** Which reference generator a seed is interpreted by. */
public enum RngKind {
  /** PyTorch's CPU generator ({@code torch.manual_seed(s); torch.randn(shape)}): CompVis, diffusers, A1111. */
  TORCH,
  /** NumPy's legacy {@code RandomState(s).randn(shape)}: diffusers' ONNX pipelines. */
  NUMPY;

  /** Parses {@code torch} or {@code numpy}, case-insensitively. */
  public static RngKind fromName(String name) {
    String n = name == null ? "" : name.trim().toLowerCase(Locale.ROOT);
    return switch (n) {
      case "torch" -> TORCH;
      case "numpy" -> NUMPY;
      default -> throw new IllegalArgumentException("unknown RNG '" + name + "'; expected one of torch, numpy");
    };
  }
}
