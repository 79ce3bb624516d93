package io.github.ldm4j.backend.openvino.internal;

/**
 * {@code ov_status_e}, the return code of the OpenVINO C API functions.
 *
 * <p>Values are facts from {@code openvino/c/ov_common.h} of OpenVINO 2024.x (unchanged since the
 * C API 2.0 of 2022.1): {@code OK} is 0, every failure is negative.
 */
public enum OvStatus {
  /** Success. */
  OK(0),
  /** An {@code ov::Exception} (the common case; the message says what failed). */
  GENERAL_ERROR(-1),
  /** {@code ov::NotImplemented}. */
  NOT_IMPLEMENTED(-2),
  /** Network not loaded. */
  NETWORK_NOT_LOADED(-3),
  /** Parameter mismatch. */
  PARAMETER_MISMATCH(-4),
  /** {@code ov::NotFound}: e.g. an unknown tensor name. */
  NOT_FOUND(-5),
  /** Out of bounds: e.g. a port index past the last. */
  OUT_OF_BOUNDS(-6),
  /** A C++ exception not derived from {@code std::exception}. */
  UNEXPECTED(-7),
  /** {@code ov::Busy}: the infer request is running. */
  REQUEST_BUSY(-8),
  /** Result not ready. */
  RESULT_NOT_READY(-9),
  /** Not allocated. */
  NOT_ALLOCATED(-10),
  /** Inference not started. */
  INFER_NOT_STARTED(-11),
  /** Network not read. */
  NETWORK_NOT_READ(-12),
  /** {@code ov::Cancelled}. */
  INFER_CANCELLED(-13),
  /** The C wrapper rejected a parameter (usually a NULL pointer); sets no error message. */
  INVALID_C_PARAM(-14),
  /** Unknown error inside the C wrapper. */
  UNKNOWN_C_ERROR(-15),
  /** A C method that is not implemented. */
  NOT_IMPLEMENT_C_METHOD(-16),
  /** Unknown exception (spelled {@code UNKNOW_EXCEPTION} in the header). */
  UNKNOW_EXCEPTION(-17);

  private final int code;

  OvStatus(int code) {
    this.code = code;
  }

  /** The numeric {@code ov_status_e} value. */
  public int code() {
    return code;
  }

  /** The status with {@code code}, or {@code null} when the code is not in the 2024.x header. */
  public static OvStatus fromCode(int code) {
    return code <= 0 && code >= -17 ? values()[-code] : null;
  }

  /** A printable name for any code, known or not. */
  public static String describe(int code) {
    OvStatus s = fromCode(code);
    return s == null ? "status " + code + " (unknown to ldm4j's OpenVINO 2024 binding)" : s.name() + " (" + code + ")";
  }
}
