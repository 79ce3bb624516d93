package io.github.ldm4j.quarkus.runtime.rest;

import jakarta.ws.rs.core.Response;

/** A failure answered with an HTTP status and the OpenAI error body (see {@link ApiExceptionMapper}). */
public final class ApiException extends RuntimeException {

  private final int status;
  private final String type;
  private final String param;
  private final String code;
  private final Integer retryAfterSeconds;

  /** A failure with its status, error type, field at fault (or null) and code (or null). */
  public ApiException(int status, String type, String param, String code, String message, Integer retryAfterSeconds) {
    super(message);
    this.status = status;
    this.type = type;
    this.param = param;
    this.code = code;
    this.retryAfterSeconds = retryAfterSeconds;
  }

  /** 400 invalid_request_error for a field. */
  public static ApiException invalid(String param, String message) {
    return new ApiException(400, "invalid_request_error", param, "invalid_value", message, null);
  }

  /** The OpenAI error body. */
  public ApiError body() {
    return new ApiError(new ApiError.Detail(getMessage(), type, param, code));
  }

  /** The response. */
  public Response toResponse() {
    Response.ResponseBuilder b = Response.status(status)
        .entity(body())
        .type("application/json");
    if (retryAfterSeconds != null) {
      b.header("Retry-After", retryAfterSeconds);
    }
    return b.build();
  }

  /** The HTTP status. */
  public int status() {
    return status;
  }
}
