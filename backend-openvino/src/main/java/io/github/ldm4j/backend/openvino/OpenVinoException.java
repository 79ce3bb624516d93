package io.github.ldm4j.backend.openvino;

import io.github.ldm4j.backend.openvino.internal.OvStatus;

/**
 * An OpenVINO C API call returned a status other than {@code OK}. The message names the function,
 * the status and the runtime's own explanation ({@code ov_get_last_err_msg}).
 */
public final class OpenVinoException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final String function;
  private final int statusCode;
  private final String runtimeMessage;

  /**
   * Creates the exception.
   *
   * @param function the C function that failed
   * @param statusCode its {@code ov_status_e}
   * @param runtimeMessage what {@code ov_get_last_err_msg} said (empty when nothing)
   */
  public OpenVinoException(String function, int statusCode, String runtimeMessage) {
    super(function + " failed with " + OvStatus.describe(statusCode)
        + (runtimeMessage.isBlank() ? "" : ": " + runtimeMessage.strip()));
    this.function = function;
    this.statusCode = statusCode;
    this.runtimeMessage = runtimeMessage;
  }

  /** The C function that failed, e.g. {@code ov_core_compile_model}. */
  public String function() {
    return function;
  }

  /** The numeric {@code ov_status_e}. */
  public int statusCode() {
    return statusCode;
  }

  /** The status, or {@code null} for a code this binding does not know. */
  public OvStatus status() {
    return OvStatus.fromCode(statusCode);
  }

  /** The runtime's message ({@code ov_get_last_err_msg}); empty when it gave none. */
  public String runtimeMessage() {
    return runtimeMessage;
  }
}
