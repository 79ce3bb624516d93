package io.github.ldm4j.export.onnx;

/** ONNX tensor element types the writer supports, with their {@code TensorProto.DataType} codes. */
public enum ElementType {
  /** 32-bit IEEE float ({@code FLOAT = 1}). */
  FLOAT(1, 4),
  /** Unsigned byte ({@code UINT8 = 2}). */
  UINT8(2, 1),
  /** Signed byte ({@code INT8 = 3}): quantized weights, written from float values that are already integers. */
  INT8(3, 1),
  /** 32-bit signed integer ({@code INT32 = 6}). */
  INT32(6, 4),
  /** 64-bit signed integer ({@code INT64 = 7}). */
  INT64(7, 8),
  /** Boolean, one byte ({@code BOOL = 9}). */
  BOOL(9, 1),
  /** 16-bit IEEE half float ({@code FLOAT16 = 10}). */
  FLOAT16(10, 2),
  /** 64-bit IEEE float ({@code DOUBLE = 11}). */
  DOUBLE(11, 8);

  private final int onnxCode;
  private final int byteSize;

  ElementType(int onnxCode, int byteSize) {
    this.onnxCode = onnxCode;
    this.byteSize = byteSize;
  }

  /** The {@code TensorProto.DataType} number. */
  public int onnxCode() {
    return onnxCode;
  }

  /** Bytes per element in {@code raw_data} (little-endian). */
  public int byteSize() {
    return byteSize;
  }

  /** True for FLOAT, FLOAT16 and DOUBLE. */
  public boolean isFloatingPoint() {
    return this == FLOAT || this == FLOAT16 || this == DOUBLE;
  }
}
