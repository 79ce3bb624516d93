package io.github.ldm4j.quarkus.runtime.rest;

import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import jakarta.ws.rs.ext.Provider;
import java.util.Locale;

/**
 * Answers a JAX-RS {@link WebApplicationException} — the framework's 404 (no such resource), 405
 * (method not allowed), 406 (not acceptable) and 415 (unsupported media type) among them — with its
 * status and the OpenAI error body: type {@code invalid_request_error} ({@code server_error} for
 * 5xx), code the status' reason in snake case ({@code method_not_allowed}). The {@code Allow} header
 * of a 405 is kept.
 */
@Provider
public class WebApplicationExceptionMapper implements ExceptionMapper<WebApplicationException> {

  @Override
  public Response toResponse(WebApplicationException e) {
    Response original = e.getResponse();
    int status = original.getStatus();
    Response.StatusType reason = Response.Status.fromStatusCode(status);
    String phrase = reason != null ? reason.getReasonPhrase() : original.getStatusInfo().getReasonPhrase();
    String code = phrase == null || phrase.isBlank() ? "http_" + status
        : phrase.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "_");
    String message = e.getMessage() == null || e.getMessage().isBlank() ? phrase : e.getMessage();
    Response mapped = new ApiException(status, status >= 500 ? "server_error" : "invalid_request_error", null, code,
        message, null).toResponse();
    String allow = original.getHeaderString(HttpHeaders.ALLOW);
    if (allow == null) {
      return mapped;
    }
    return Response.fromResponse(mapped).header(HttpHeaders.ALLOW, allow).build();
  }
}
