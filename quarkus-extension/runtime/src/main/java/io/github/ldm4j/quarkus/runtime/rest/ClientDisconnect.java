package io.github.ldm4j.quarkus.runtime.rest;

import io.github.ldm4j.quarkus.runtime.GenerationService;
import io.github.ldm4j.sampler.CancellationToken;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerResponse;

/** Cancels a generation when its client closes the connection before the response is sent. */
final class ClientDisconnect {

  private ClientDisconnect() {}

  /**
   * Cancels {@code token} with reason {@value GenerationService#DISCONNECT} when the connection of
   * {@code response} closes, or at once when it is closed already. The handler is registered on the
   * request's event loop (when called from a worker thread of the request) so it cannot miss a close
   * that happens meanwhile; a response already written is not watched. Works for HTTP/1.1 (connection
   * closed) and HTTP/2 (stream reset or connection closed). A null {@code response} watches nothing.
   */
  static void watch(HttpServerResponse response, CancellationToken token) {
    if (response == null) {
      return;
    }
    Runnable register = () -> {
      if (response.closed()) {
        token.cancel(GenerationService.DISCONNECT);
        return;
      }
      if (response.ended()) {
        return; // answered already (e.g. 429): nothing left to cancel
      }
      try {
        response.closeHandler(v -> token.cancel(GenerationService.DISCONNECT));
      } catch (IllegalStateException e) {
        return; // HTTP/2: the response was written meanwhile
      }
      if (response.closed()) {
        token.cancel(GenerationService.DISCONNECT);
      }
    };
    Context context = Vertx.currentContext();
    if (context != null && !Context.isOnEventLoopThread()) {
      context.runOnContext(v -> register.run());
    } else {
      register.run();
    }
  }
}
