package io.github.ldm4j.export.folder;

import io.github.ldm4j.export.onnx.ElementType;
import java.util.Arrays;
import java.util.Locale;

/** Floating-point precision of a generated model's float tensors (inputs, outputs, weights). */
public enum Precision {
  /** float32 everywhere. */
  FP32(ElementType.FLOAT),
  /** float16 tensors, as fp16 exports have. */
  FP16(ElementType.FLOAT16),
  /**
   * float32 tensors; the UNet's convolution and linear weights stored int8 with a float32 scale per
   * output channel (symmetric, weight-only) and dequantized in the graph: a quarter of their fp32
   * size. The text encoder and the VAE stay float32.
   */
  INT8(ElementType.FLOAT),
  /**
   * float32 tensors; the UNet's linear (MatMul) weights stored int8 with a float32 scale per output
   * channel and dequantized in the graph, as {@link #INT8}, but its convolution weights kept float32:
   * the speed-oriented int8 mode, since ONNX Runtime's CPU provider runs {@code DequantizeLinear →
   * MatMul} faster than a float32 MatMul but {@code DequantizeLinear → Conv} slower than a float32
   * Conv (docs/benchmarks.md, "Lever 3"). The text encoder and the VAE stay float32.
   */
  INT8_LINEAR(ElementType.FLOAT);

  private final ElementType floatType;

  Precision(ElementType floatType) {
    this.floatType = floatType;
  }

  /** The name on the command line: {@code fp32}, {@code fp16}, {@code int8}, {@code int8-linear}. */
  public String cliName() {
    return name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  /** The ONNX element type of float tensors. */
  public ElementType floatType() {
    return floatType;
  }

  /** Whether any of the UNet's weights are int8 ({@link #INT8}, {@link #INT8_LINEAR}). */
  public boolean int8Weights() {
    return this == INT8 || this == INT8_LINEAR;
  }

  /** Whether the UNet's convolution weights are int8 ({@link #INT8}). */
  public boolean int8ConvWeights() {
    return this == INT8;
  }

  /** Whether the UNet's linear (MatMul) weights are int8 ({@link #INT8}, {@link #INT8_LINEAR}). */
  public boolean int8LinearWeights() {
    return this == INT8 || this == INT8_LINEAR;
  }

  /**
   * Parses a {@link #cliName} ({@code fp32} / {@code fp16} / {@code int8} / {@code int8-linear}) or
   * the constant's name, case-insensitive.
   */
  public static Precision fromName(String name) {
    for (Precision p : values()) {
      if (p.cliName().equalsIgnoreCase(name) || p.name().equalsIgnoreCase(name)) {
        return p;
      }
    }
    throw new IllegalArgumentException("unknown precision '" + name + "', expected one of "
        + Arrays.stream(values()).map(Precision::cliName).toList());
  }
}
