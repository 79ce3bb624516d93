package io.github.ldm4j.quarkus.runtime.rest;

import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import jakarta.ws.rs.ext.Provider;
import org.jboss.logging.Logger;

/**
 * Answers any exception no more specific mapper handles (a bug, a backend failure) with 500 and the
 * OpenAI error body {@code {"error":{"message","type":"server_error","param":null,"code":"internal_error"}}},
 * logging its stack trace once at ERROR — except a failure of the framework to read the request body
 * (client garbage, {@link MalformedRequest}): 400 with the OpenAI body, logged at DEBUG.
 */
@Provider
public class UnexpectedExceptionMapper implements ExceptionMapper<Exception> {

  private static final Logger LOG = Logger.getLogger(UnexpectedExceptionMapper.class);

  @Override
  public Response toResponse(Exception e) {
    java.util.Optional<ApiException> client = MalformedRequest.of(e);
    if (client.isPresent()) {
      LOG.debugf("malformed request: %s", client.get().getMessage());
      return client.get().toResponse();
    }
    LOG.error("request failed unexpectedly", e);
    String detail = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    return new ApiException(500, "server_error", null, "internal_error", "internal server error: " + detail, null)
        .toResponse();
  }
}
