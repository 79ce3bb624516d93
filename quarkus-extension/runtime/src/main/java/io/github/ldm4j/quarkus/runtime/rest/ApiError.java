package io.github.ldm4j.quarkus.runtime.rest;

/**
 * The OpenAI error body {@code {"error":{"message","type","param","code"}}}.
 *
 * @param error the error
 */
public record ApiError(Detail error) {

  /**
   * One error.
   *
   * @param message what went wrong, for a human
   * @param type {@code invalid_request_error}, {@code authentication_error}, {@code rate_limit_error},
   *     {@code timeout_error} or {@code server_error}
   * @param param the request field at fault, or null
   * @param code a machine-readable code, or null
   */
  public record Detail(String message, String type, String param, String code) {}
}
