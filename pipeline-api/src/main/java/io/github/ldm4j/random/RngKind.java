package io.github.ldm4j.random;

import java.util.Locale;

/**
 * Which reference generator a seed is interpreted by; {@link #create(long)} makes the generator.
 */
public enum RngKind {
  /**
   * PyTorch's CPU generator ({@code torch.manual_seed(s); torch.randn(shape)}): CompVis, diffusers,
   * A1111 with CPU noise. Any {@code long} is a seed; see {@link TorchGenerator}.
   */
  TORCH,
  /**
   * NumPy's legacy {@code RandomState(s).randn(shape)}: diffusers' ONNX pipelines. Seeds must lie
   * in [0, 2<sup>32</sup>); see {@link NumpyRandomState}.
   */
  NUMPY;

  /**
   * A fresh generator of this kind seeded with {@code seed}: a {@link TorchGenerator} (x86-64 AVX2
   * kernel) or a {@link NumpyRandomState}.
   *
   * @throws IllegalArgumentException for {@link #NUMPY} when {@code seed} is outside [0, 2<sup>32</sup>)
   */
  public RandomSource create(long seed) {
    return switch (this) {
      case TORCH -> new TorchGenerator(seed);
      case NUMPY -> new NumpyRandomState(seed);
    };
  }

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
