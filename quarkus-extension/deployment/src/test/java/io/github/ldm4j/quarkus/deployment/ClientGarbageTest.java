package io.github.ldm4j.quarkus.deployment;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.test.QuarkusUnitTest;
import io.quarkus.test.common.http.TestHTTPResource;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.logging.Level;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Client garbage below the JSON layer — a multipart body whose boundary does not match its
 * Content-Type, one cut short, one with more fields than the parser allows, bad chunked encoding, a
 * Content-Length over Quarkus' own body limit — is a 4xx with the OpenAI error body, written on a raw
 * socket as a client would send it, and nothing is logged at ERROR.
 */
class ClientGarbageTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  @RegisterExtension
  static final QuarkusUnitTest APP = new QuarkusUnitTest()
      .withApplicationRoot(jar -> jar.addClass(TestModels.class))
      .overrideConfigKey("quarkus.ldm4j.model.path", TestModels.shapes128())
      .setLogRecordPredicate(r -> r.getLevel().intValue() >= Level.SEVERE.intValue())
      .assertLogRecords(records -> assertThat(records)
          .as("ERROR records: %s", records.stream().map(r -> r.getLoggerName() + ": " + r.getMessage()).toList())
          .isEmpty());

  @TestHTTPResource("/") URI base;

  /** A raw HTTP answer. */
  record Answer(int status, String headers, String body) {
    JsonNode error() throws IOException {
      assertThat(headers.toLowerCase(Locale.ROOT)).as(headers + body).contains("content-type: application/json");
      JsonNode e = JSON.readTree(body).get("error");
      assertThat(e).as(body).isNotNull();
      assertThat(e.get("message").asText()).isNotBlank();
      assertThat(e.get("type").asText()).isEqualTo("invalid_request_error");
      assertThat(e.get("code").asText()).isNotBlank();
      assertThat(e.has("param")).isTrue();
      return e;
    }
  }

  @AfterEach
  void stillServing() throws IOException {
    assertThat(send(("GET /ldm4j/samplers HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        .getBytes(StandardCharsets.US_ASCII)).status()).isEqualTo(200);
  }

  private Answer send(byte[] request) throws IOException {
    try (Socket s = new Socket(base.getHost(), base.getPort())) {
      s.setSoTimeout(30_000);
      OutputStream out = s.getOutputStream();
      try {
        out.write(request);
        out.flush();
      } catch (SocketException e) {
        // the server may answer and close before it has read everything (413): read what it said
      }
      return read(s.getInputStream());
    }
  }

  private static Answer read(InputStream in) throws IOException {
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    byte[] b = new byte[8192];
    int n;
    while (true) {
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
      if (end >= 0) {
        Matcher m = Pattern.compile("(?i)content-length: *(\\d+)").matcher(text.substring(0, end));
        if (m.find() && text.length() - end - 4 >= Integer.parseInt(m.group(1))) {
          break;
        }
      }
    }
    String text = buf.toString(StandardCharsets.UTF_8);
    assertThat(text).as("an HTTP answer, not a closed connection").startsWith("HTTP/1.");
    int end = text.indexOf("\r\n\r\n");
    return new Answer(Integer.parseInt(text.substring(9, 12)), text.substring(0, end), text.substring(end + 4));
  }

  private static byte[] post(String path, String contentType, byte[] body) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(("POST " + path + " HTTP/1.1\r\nHost: x\r\nContent-Type: " + contentType + "\r\nContent-Length: "
        + body.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
    out.writeBytes(body);
    return out.toByteArray();
  }

  private static byte[] form(String boundary, int fields) {
    StringBuilder b = new StringBuilder();
    b.append("--").append(boundary).append("\r\nContent-Disposition: form-data; name=\"prompt\"\r\n\r\na red circle\r\n");
    for (int i = 0; i < fields; i++) {
      b.append("--").append(boundary).append("\r\nContent-Disposition: form-data; name=\"f").append(i)
          .append("\"\r\n\r\nx\r\n");
    }
    b.append("--").append(boundary).append("--\r\n");
    return b.toString().getBytes(StandardCharsets.US_ASCII);
  }

  @Test
  void multipartWhoseBoundaryDoesNotMatchTheContentTypeIs400() throws IOException {
    Answer a = send(post("/v1/images/edits", "multipart/form-data; boundary=other", form("ldm4j", 0)));
    assertThat(a.status()).as(a.body()).isEqualTo(400);
    assertThat(a.error().get("message").asText()).contains("multipart");
  }

  @Test
  void multipartCutInHalfIs400() throws IOException {
    byte[] whole = form("ldm4j", 3);
    byte[] half = java.util.Arrays.copyOf(whole, whole.length / 2);
    Answer a = send(post("/v1/images/edits", "multipart/form-data; boundary=ldm4j", half));
    assertThat(a.status()).as(a.body()).isEqualTo(400);
    assertThat(a.error().get("message").asText()).contains("multipart");
  }

  @Test
  void multipartWithMoreFieldsThanTheParserAllowsIs400() throws IOException {
    Answer a = send(post("/v1/images/edits", "multipart/form-data; boundary=ldm4j", form("ldm4j", 1500)));
    assertThat(a.status()).as(a.body()).isEqualTo(400);
    assertThat(a.error().get("message").asText()).contains("multipart");
  }

  @Test
  void badChunkedEncodingIs400() throws IOException {
    for (String path : new String[] {"/v1/images/generations", "/v1/images/edits"}) {
      String type = path.endsWith("edits") ? "multipart/form-data; boundary=ldm4j" : "application/json";
      Answer a = send(("POST " + path + " HTTP/1.1\r\nHost: x\r\nContent-Type: " + type
          + "\r\nTransfer-Encoding: chunked\r\n\r\nZZZ\r\n{}\r\n0\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      assertThat(a.status()).as(path + ": " + a.body()).isEqualTo(400);
      a.error();
    }
  }

  @Test
  void contentLengthOverQuarkusBodyLimitIs413WithTheOpenAiBody() throws IOException {
    for (String path : new String[] {"/v1/images/generations", "/v1/images/edits", "/sdapi/v1/txt2img"}) {
      Answer a = send(("POST " + path + " HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: "
          + (70L << 20) + "\r\n\r\n{\"prompt\":").getBytes(StandardCharsets.US_ASCII));
      assertThat(a.status()).as(path + ": " + a.body()).isEqualTo(413);
      assertThat(a.error().get("code").asText()).isEqualTo("request_too_large");
    }
  }

  /** Refused by Vert.x before any route (an empty body, see the README): still no ERROR in the log. */
  @Test
  void whatVertxRefusesItselfLogsNoError() throws IOException {
    assertThat(send(("GET /v1/" + "a".repeat(5000) + " HTTP/1.1\r\nHost: x\r\n\r\n")
        .getBytes(StandardCharsets.US_ASCII)).status()).isEqualTo(414);
    assertThat(send(("GET /ldm4j/samplers HTTP/1.1\r\nHost: x\r\nX-Big: " + "a".repeat(30_000) + "\r\n\r\n")
        .getBytes(StandardCharsets.US_ASCII)).status()).isEqualTo(431);
    assertThat(send("HELLO\r\n\r\n".getBytes(StandardCharsets.US_ASCII)).status()).isEqualTo(400);
  }
}
