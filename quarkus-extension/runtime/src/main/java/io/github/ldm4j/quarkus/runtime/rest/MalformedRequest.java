package io.github.ldm4j.quarkus.runtime.rest;

import java.util.Optional;

/**
 * Recognises failures of the REST framework while it reads a request body before any resource
 * method runs — a multipart body whose boundary does not match its {@code Content-Type}, one cut
 * short, more form fields than the parser's limit, bad chunked encoding, a client that vanished
 * mid-body — so that they are answered 400 with the OpenAI body and logged at DEBUG as the client's
 * garbage they are, not 500 with an ERROR stack trace.
 *
 * <p>The sign is where the exception was thrown: in the body readers of Quarkus REST (its multipart
 * parser, {@code FormBodyHandler}, {@code RequestDeserializeHandler}, {@code VertxInputStream}) with
 * no ldm4j frame above them. ldm4j's own resource code never runs at that point.
 */
final class MalformedRequest {

  private static final String[] READERS = {
      "org.jboss.resteasy.reactive.server.core.multipart.",
      "org.jboss.resteasy.reactive.server.handlers.FormBodyHandler",
      "org.jboss.resteasy.reactive.server.handlers.RequestDeserializeHandler",
      "org.jboss.resteasy.reactive.server.vertx.VertxInputStream",
      "org.jboss.resteasy.reactive.common.providers.serialisers.MessageReaderUtil",
  };

  private MalformedRequest() {}

  /** The 400 to answer when {@code e} is a failure to read the request body, else empty. */
  static Optional<ApiException> of(Throwable e) {
    if (!thrownReadingTheBody(e)) {
      return Optional.empty();
    }
    String detail = rootMessage(e);
    boolean multipart = stackMentions(e, "multipart");
    String what = multipart ? "malformed multipart/form-data body" : "malformed request body";
    String hint = detail.contains("Param limit")
        ? " (too many form fields)"
        : detail.contains("Connection terminated parsing multipart")
            ? " (the body ended before the closing boundary: a boundary that does not match the Content-Type, or a"
                + " body cut short)"
            : "";
    return Optional.of(new ApiException(400, "invalid_request_error", null, "malformed_request",
        what + ": " + detail + hint, null));
  }

  private static boolean thrownReadingTheBody(Throwable e) {
    for (StackTraceElement f : e.getStackTrace()) {
      String c = f.getClassName();
      if (c.startsWith("io.github.ldm4j.")) {
        return false;
      }
      for (String reader : READERS) {
        if (c.startsWith(reader)) {
          return true;
        }
      }
    }
    return false;
  }

  private static boolean stackMentions(Throwable e, String word) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      for (StackTraceElement f : t.getStackTrace()) {
        if (f.getClassName().contains(word)) {
          return true;
        }
      }
    }
    return false;
  }

  private static String rootMessage(Throwable e) {
    String message = null;
    int depth = 0;
    for (Throwable t = e; t != null && depth < 16; t = t.getCause(), depth++) {
      if (t.getMessage() != null && !t.getMessage().isBlank()) {
        message = t.getMessage();
      }
    }
    return message != null ? message : e.getClass().getSimpleName();
  }
}
