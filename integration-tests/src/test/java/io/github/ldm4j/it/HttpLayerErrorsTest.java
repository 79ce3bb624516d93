package io.github.ldm4j.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Malformed HTTP on a raw socket, as a broken client or a scanner sends it. What reaches a route
 * (bad chunked encoding, a Content-Length over Quarkus' body limit, a task id that is not one) gets
 * the OpenAI error body. What Vert.x refuses while parsing the request line and headers — before
 * any route or application code runs, with no hook in Quarkus to replace its answer — gets Vert.x's
 * bare status (empty body): 414 for a request line over 4096 bytes, 431 for headers over Quarkus'
 * 20 KiB, 400 for a request line or header that is not HTTP. These tests pin both, so that a
 * Vert.x that starts sending bodies shows up here (and the README's table can be updated).
 */
@QuarkusTest
@QuarkusTestResource(ShapesModelResource.class)
class HttpLayerErrorsTest {

  @TestHTTPResource("/") URI base;

  record Answer(int status, String headers, String body) {}

  @AfterEach
  void stillServing() {
    assertThat(Http.get(base, "/ldm4j/samplers").statusCode()).isEqualTo(200);
  }

  private Answer send(String request) throws IOException {
    try (Socket s = new Socket(base.getHost(), base.getPort())) {
      s.setSoTimeout(30_000);
      try {
        s.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
        s.getOutputStream().flush();
      } catch (SocketException e) {
        // answered and closed before everything was read: read the answer
      }
      InputStream in = s.getInputStream();
      ByteArrayOutputStream buf = new ByteArrayOutputStream();
      byte[] b = new byte[8192];
      while (true) {
        int n;
        try {
          n = in.read(b);
        } catch (SocketException e) {
          break;
        }
        if (n < 0) {
          break;
        }
        buf.write(b, 0, n);
        String text = buf.toString(StandardCharsets.ISO_8859_1);
        int end = text.indexOf("\r\n\r\n");
        Matcher m = Pattern.compile("(?i)content-length: *(\\d+)").matcher(end < 0 ? "" : text.substring(0, end));
        if (end >= 0 && m.find() && text.length() - end - 4 >= Integer.parseInt(m.group(1))) {
          break;
        }
      }
      String text = buf.toString(StandardCharsets.UTF_8);
      assertThat(text).as("an HTTP answer, not a closed connection").startsWith("HTTP/1.");
      int end = text.indexOf("\r\n\r\n");
      return new Answer(Integer.parseInt(text.substring(9, 12)), text.substring(0, end), text.substring(end + 4));
    }
  }

  private static JsonNode openAiError(Answer a, int status, String code) throws IOException {
    assertThat(a.status()).as(a.headers() + "\n" + a.body()).isEqualTo(status);
    assertThat(a.headers().toLowerCase(Locale.ROOT)).contains("content-type: application/json");
    JsonNode error = Http.JSON.readTree(a.body()).get("error");
    assertThat(error).as(a.body()).isNotNull();
    assertThat(error.get("type").asText()).isEqualTo("invalid_request_error");
    assertThat(error.get("message").asText()).isNotBlank();
    assertThat(error.get("code").asText()).isEqualTo(code);
    return error;
  }

  /** Vert.x's own answer before any route: the status, an empty body (documented in the README). */
  private static void bare(Answer a, int status) {
    assertThat(a.status()).as(a.headers() + "\n" + a.body()).isEqualTo(status);
    assertThat(a.headers().toLowerCase(Locale.ROOT)).contains("content-length: 0");
    assertThat(a.body()).isEmpty();
  }

  @Test
  void badChunkedEncodingIs400WithTheOpenAiBody() throws IOException {
    for (String path : new String[] {"/v1/images/generations", "/sdapi/v1/txt2img"}) {
      Answer a = send("POST " + path + " HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
          + "Transfer-Encoding: chunked\r\n\r\nnot-hex\r\n{}\r\n0\r\n\r\n");
      assertThat(openAiError(a, 400, "malformed_request").get("message").asText()).contains("chunk");
    }
  }

  @Test
  void aContentLengthOverTheHttpBodyLimitIs413WithTheOpenAiBody() throws IOException {
    Answer a = send("POST /v1/images/generations HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        + "Content-Length: " + (65L << 20) + "\r\n\r\n{\"prompt\":");
    assertThat(openAiError(a, 413, "request_too_large").get("message").asText())
        .contains("quarkus.http.limits.max-body-size");
  }

  @Test
  void aTaskIdThatIsNoneIs400WithTheOpenAiBody() throws IOException {
    Answer a = send("GET /ldm4j/progress/" + "a".repeat(100) + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    assertThat(openAiError(a, 400, "invalid_value").get("param").asText()).isEqualTo("task_id");
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "long path      |414",
      "long query     |414",
      "long SSE id    |414",
      "large header   |431",
      "many headers   |431",
      "not HTTP       |400",
      "header no colon|400",
      "bad length     |400",
      "space in name  |400",
  })
  void whatVertxRefusesBeforeAnyRouteGetsItsBareStatus(String what, int status) throws IOException {
    String request = switch (what.trim()) {
      case "long path" -> "GET /v1/" + "a".repeat(5000) + " HTTP/1.1\r\nHost: x\r\n\r\n";
      case "long query" -> "GET /ldm4j/samplers?q=" + "a".repeat(5000) + " HTTP/1.1\r\nHost: x\r\n\r\n";
      case "long SSE id" -> "GET /ldm4j/progress/" + "a".repeat(5000) + " HTTP/1.1\r\nHost: x\r\n\r\n";
      case "large header" -> "GET /ldm4j/samplers HTTP/1.1\r\nHost: x\r\nX-Big: " + "a".repeat(30_000) + "\r\n\r\n";
      case "many headers" -> "GET /ldm4j/samplers HTTP/1.1\r\nHost: x\r\n" + "X-H: 0123456789\r\n".repeat(2000) + "\r\n";
      case "not HTTP" -> "HELLO\r\n\r\n";
      case "header no colon" -> "GET /ldm4j/samplers HTTP/1.1\r\nHost: x\r\nno-colon-here\r\n\r\n";
      case "bad length" -> "POST /v1/images/generations HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
          + "Content-Length: abc\r\n\r\n{}";
      case "space in name" -> "GET /ldm4j/samplers HTTP/1.1\r\nHost: x\r\nBad Name: v\r\n\r\n";
      default -> throw new IllegalArgumentException(what);
    };
    bare(send(request), status);
  }
}
