package io.github.ldm4j.quarkus.runtime.rest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.ldm4j.quarkus.runtime.Ldm4jStartup;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.PrematureChannelClosureException;
import io.quarkus.runtime.configuration.MemorySizeConverter;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.net.impl.ConnectionBase;
import io.vertx.ext.web.Router;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.OptionalLong;
import org.eclipse.microprofile.config.ConfigProvider;
import org.jboss.logging.Logger;

/**
 * OpenAI error bodies for what the HTTP layer refuses after it has parsed the request line and
 * headers but before Quarkus REST runs: a Vert.x route ahead of Quarkus' own body-limit route
 * (order {@value #ORDER}, Quarkus' is -2) that
 *
 * <ul>
 *   <li>answers a {@code Content-Length} over {@code quarkus.http.limits.max-body-size} with 413
 *       {@code request_too_large} and the OpenAI body (Quarkus' own answer is an empty 413), closing
 *       the connection as Quarkus does;
 *   <li>answers a body Netty cannot decode (bad chunked encoding) with 400 {@code malformed_request}
 *       and the OpenAI body, written on the event loop before Vert.x closes the connection (it closes
 *       it on any decoder failure; without this the client gets no answer at all). This relies on
 *       Vert.x 4.5 internals ({@code ConnectionBase}, the {@code httpEncoder} handler); without them
 *       the client gets the closed connection of before, and the log still says DEBUG only.
 * </ul>
 *
 * <p>What Vert.x refuses before any route runs — a request line over {@code
 * quarkus.http.limits.max-initial-line-length} (414), headers over {@code max-header-size} (431),
 * a request line or header that is not HTTP (400) — is answered by Vert.x's built-in handler with an
 * empty body; Quarkus offers no hook to replace it (see the module README).
 */
@Singleton
public class HttpLayerErrors {

  /** The route order: before Quarkus' upload-limit route (-2). */
  static final int ORDER = -3;

  private static final Logger LOG = Logger.getLogger(HttpLayerErrors.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  void install(@Observes Router router) {
    OptionalLong limit = ConfigProvider.getConfig()
        .getOptionalValue(Ldm4jStartup.HTTP_MAX_BODY_SIZE_PROPERTY, String.class)
        .map(s -> OptionalLong.of(new MemorySizeConverter().convert(s.trim()).asLongValue()))
        .orElse(OptionalLong.empty());
    router.route().order(ORDER).handler(ctx -> {
      HttpServerRequest request = ctx.request();
      if (limit.isPresent() && tooLarge(request.getHeader(HttpHeaders.CONTENT_LENGTH), limit.getAsLong())) {
        LOG.debugf("refused %s %s: Content-Length %s over %d", request.method(), request.path(),
            request.getHeader(HttpHeaders.CONTENT_LENGTH), limit.getAsLong());
        answer(request.response().putHeader(HttpHeaders.CONNECTION, "close"), new ApiException(413,
            "invalid_request_error", null, "request_too_large", "the request body of "
                + request.getHeader(HttpHeaders.CONTENT_LENGTH) + " bytes exceeds the server's limit of "
                + limit.getAsLong() + " bytes (" + Ldm4jStartup.HTTP_MAX_BODY_SIZE_PROPERTY + ")", null));
        return;
      }
      if (request.connection() instanceof ConnectionBase connection && !request.isEnded()) {
        connection.exceptionHandler(t -> {
          if (isDecoderFailure(t) && !request.response().headWritten()) {
            LOG.debugf("malformed request body on %s %s: %s", request.method(), request.path(), t);
            answerRaw(connection, new ApiException(400, "invalid_request_error", null, "malformed_request",
                "malformed request body: " + message(t), null));
          }
        });
      }
      ctx.next();
    });
  }

  private static boolean tooLarge(String contentLength, long limit) {
    if (contentLength == null) {
      return false;
    }
    try {
      return Long.parseLong(contentLength.trim()) > limit;
    } catch (NumberFormatException e) {
      return false;
    }
  }

  /**
   * Whether a connection failure is Netty refusing the bytes (its decoder result's cause: a
   * {@link DecoderException}, or the {@code NumberFormatException} / {@code IllegalArgumentException}
   * of a bad chunk size or header), not the network failing (an {@link IOException}: reset, closed).
   */
  private static boolean isDecoderFailure(Throwable t) {
    return !(t instanceof IOException) && !(t instanceof PrematureChannelClosureException)
        && (t instanceof DecoderException || t instanceof IllegalArgumentException);
  }

  private static String message(Throwable t) {
    String m = null;
    int depth = 0;
    for (Throwable c = t; c != null && depth < 16; c = c.getCause(), depth++) {
      if (c.getMessage() != null && !c.getMessage().isBlank()) {
        m = c.getMessage();
      }
    }
    return m != null ? m : t.getClass().getSimpleName();
  }

  /**
   * Writes {@code e} as a complete HTTP/1.1 response ({@code Connection: close}) straight to the
   * channel, below Vert.x's response object, and flushes it: Vert.x closes the connection right
   * after a decoder failure, and a write through the response would wait for the end of the read
   * and be dropped. Quarkus REST, which learns of the failure too, then writes its own answer to a
   * closed connection (silently). Written from the {@code httpEncoder} handler's context, so TLS
   * still applies; without that handler (not HTTP/1.x) nothing is written.
   */
  private static void answerRaw(ConnectionBase connection, ApiException e) {
    ChannelHandlerContext encoder = connection.channel().pipeline().context("httpEncoder");
    if (encoder == null) {
      return;
    }
    byte[] body = json(e).getBytes(StandardCharsets.UTF_8);
    byte[] head = ("HTTP/1.1 " + e.status() + " " + HttpResponseStatus.valueOf(e.status()).reasonPhrase()
        + "\r\ncontent-type: application/json\r\ncontent-length: " + body.length + "\r\nconnection: close\r\n\r\n")
        .getBytes(StandardCharsets.US_ASCII);
    encoder.writeAndFlush(Unpooled.wrappedBuffer(head, body));
  }

  private static String json(ApiException e) {
    try {
      return JSON.writeValueAsString(e.body());
    } catch (JsonProcessingException impossible) {
      throw new IllegalStateException(impossible);
    }
  }

  private static void answer(HttpServerResponse response, ApiException e) {
    response.setStatusCode(e.status()).putHeader(HttpHeaders.CONTENT_TYPE, "application/json").end(json(e));
  }
}
