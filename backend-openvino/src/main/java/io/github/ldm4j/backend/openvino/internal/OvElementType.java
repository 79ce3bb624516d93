package io.github.ldm4j.backend.openvino.internal;

/**
 * {@code ov_element_type_e}, the element type of tensors and ports.
 *
 * <p>Values are facts from {@code openvino/c/ov_common.h} of OpenVINO 2024.x (the enumeration runs
 * from {@code UNDEFINED = 0U} in declaration order). Codes 0–12 ({@code UNDEFINED} … {@code U1}) are
 * the same in every 2022–2024 release; the codes from {@code U2} on were renumbered when 2024
 * releases inserted {@code U2}, {@code U3} and {@code U6}, which is one reason this binding needs
 * OpenVINO 2024 or newer. ldm4j only exchanges {@link #F32}, {@link #F16}, {@link #I32} and {@link
 * #I64} tensors, all below 13.
 */
public enum OvElementType {
  /** Undefined. */
  UNDEFINED(0, 0),
  /** Dynamic (a port whose type is not known until run time). */
  DYNAMIC(1, 0),
  /** Boolean (one byte). */
  BOOLEAN(2, 1),
  /** bfloat16. */
  BF16(3, 2),
  /** IEEE half. */
  F16(4, 2),
  /** IEEE single. */
  F32(5, 4),
  /** IEEE double. */
  F64(6, 8),
  /** 4-bit signed (packed). */
  I4(7, 0),
  /** int8. */
  I8(8, 1),
  /** int16. */
  I16(9, 2),
  /** int32. */
  I32(10, 4),
  /** int64. */
  I64(11, 8),
  /** 1-bit (packed). */
  U1(12, 0),
  /** 2-bit (packed). */
  U2(13, 0),
  /** 3-bit (packed). */
  U3(14, 0),
  /** 4-bit unsigned (packed). */
  U4(15, 0),
  /** 6-bit (packed). */
  U6(16, 0),
  /** uint8. */
  U8(17, 1),
  /** uint16. */
  U16(18, 2),
  /** uint32. */
  U32(19, 4),
  /** uint64. */
  U64(20, 8),
  /** NF4 (packed). */
  NF4(21, 0),
  /** float8 e4m3. */
  F8E4M3(22, 1),
  /** float8 e5m2 (spelled {@code F8E5M3} in the header). */
  F8E5M3(23, 1),
  /** String. */
  STRING(24, 0),
  /** float4 e2m1 (packed). */
  F4E2M1(25, 0),
  /** float8 e8m0. */
  F8E8M0(26, 1);

  private final int code;
  private final int byteSize;

  OvElementType(int code, int byteSize) {
    this.code = code;
    this.byteSize = byteSize;
  }

  /** The numeric {@code ov_element_type_e} value. */
  public int code() {
    return code;
  }

  /** Bytes per element, 0 for packed sub-byte and non-numeric types. */
  public int byteSize() {
    return byteSize;
  }

  /** Whether ldm4j feeds float data as this type (F32 or F16). */
  public boolean isFloating() {
    return this == F32 || this == F16;
  }

  /**
   * The type with {@code code}.
   *
   * @throws IllegalArgumentException for a code outside the 2024.x enumeration
   */
  public static OvElementType fromCode(int code) {
    OvElementType[] all = values();
    if (code < 0 || code >= all.length) {
      throw new IllegalArgumentException("unknown ov_element_type_e " + code + " (ldm4j knows 0.." + (all.length - 1) + ")");
    }
    return all[code];
  }
}
