package io.github.ldm4j.checkpoint;

import java.util.Arrays;
import java.util.Locale;

/**
 * The element types a checkpoint tensor may have, with their size in bytes. Names follow
 * safetensors ({@code F32}, {@code F16}, {@code BF16}, {@code I64}, …); PyTorch storages map onto
 * them ({@code FloatStorage} → F32, {@code HalfStorage} → F16, {@code BFloat16Storage} → BF16, …).
 */
public enum DType {
  /** IEEE float64. */
  F64(8),
  /** IEEE float32. */
  F32(4),
  /** IEEE float16. */
  F16(2),
  /** bfloat16 (the upper half of a float32). */
  BF16(2),
  /** int64. */
  I64(8),
  /** int32. */
  I32(4),
  /** int16. */
  I16(2),
  /** int8. */
  I8(1),
  /** uint8. */
  U8(1),
  /** bool, one byte. */
  BOOL(1);

  private final int bytes;

  DType(int bytes) {
    this.bytes = bytes;
  }

  /** Bytes per element. */
  public int bytes() {
    return bytes;
  }

  /** Whether values are floating point (convertible to float32 weights). */
  public boolean isFloating() {
    return this == F64 || this == F32 || this == F16 || this == BF16;
  }

  /**
   * The type named {@code name} as safetensors writes it (case-insensitive).
   *
   * @throws IllegalArgumentException for an unknown name, listing the known ones
   */
  public static DType fromSafetensors(String name) {
    try {
      return valueOf(name.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("unknown dtype '" + name + "'; known: " + Arrays.toString(values()), e);
    }
  }
}
