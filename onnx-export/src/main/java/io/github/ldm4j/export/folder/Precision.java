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
  INT8(ElementType.FLOAT);

  private final ElementType floatType;

  Precision(ElementType floatType) {
    this.floatType = floatType;
  }

  /** The ONNX element type of float tensors. */
  public ElementType floatType() {
    return floatType;
  }

  /** Whether the UNet's convolution and linear weights are int8 ({@link #INT8}). */
  public boolean int8Weights() {
    return this == INT8;
  }

  /** Parses {@code fp32} / {@code fp16} / {@code int8} (case-insensitive). */
  public static Precision fromName(String name) {
    for (Precision p : values()) {
      if (p.name().equalsIgnoreCase(name)) {
        return p;
      }
    }
    throw new IllegalArgumentException("unknown precision '" + name + "', expected one of "
        + Arrays.toString(values()).toLowerCase(Locale.ROOT));
  }
}
