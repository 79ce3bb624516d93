package io.github.ldm4j.export.folder;

import io.github.ldm4j.export.onnx.ElementType;
import java.util.Arrays;
import java.util.Locale;

/** Floating-point precision of a generated model's float tensors (inputs, outputs, weights). */
public enum Precision {
  /** float32 everywhere. */
  FP32(ElementType.FLOAT),
  /** float16 tensors, as fp16 exports have. */
  FP16(ElementType.FLOAT16);

  private final ElementType floatType;

  Precision(ElementType floatType) {
    this.floatType = floatType;
  }

  /** The ONNX element type of float tensors. */
  public ElementType floatType() {
    return floatType;
  }

  /** Parses {@code fp32} / {@code fp16} (case-insensitive). */
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
