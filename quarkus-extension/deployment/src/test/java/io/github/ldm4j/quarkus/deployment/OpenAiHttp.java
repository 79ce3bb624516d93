package io.github.ldm4j.quarkus.deployment;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.ldm4j.image.PngCodec;
import io.github.ldm4j.image.RgbImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/** HTTP helpers of the OpenAI endpoint tests: JSON and multipart requests, raw requests, PNGs. */
final class OpenAiHttp {

  static final ObjectMapper JSON = new ObjectMapper();
  static final String BOUNDARY = "ldm4jOpenAiBoundary42";
  private static final HttpClient CLIENT = HttpClient.newHttpClient();

  private OpenAiHttp() {}

  static HttpResponse<byte[]> send(HttpRequest.Builder request) {
    try {
      return CLIENT.send(request.timeout(Duration.ofMinutes(3)).build(), HttpResponse.BodyHandlers.ofByteArray());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  static HttpRequest.Builder json(URI uri, String body) {
    return HttpRequest.newBuilder(uri).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body));
  }

  static HttpRequest.Builder multipart(URI uri, Map<String, String> fields, Map<String, byte[]> files) {
    return HttpRequest.newBuilder(uri).header("Content-Type", "multipart/form-data; boundary=" + BOUNDARY)
        .POST(HttpRequest.BodyPublishers.ofByteArray(multipartBytes(fields, files)));
  }

  /** A multipart/form-data body with {@link #BOUNDARY}: text fields, then PNG file parts. */
  static byte[] multipartBytes(Map<String, String> fields, Map<String, byte[]> files) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    fields.forEach((k, v) -> out.writeBytes(("--" + BOUNDARY + "\r\nContent-Disposition: form-data; name=\"" + k
        + "\"\r\n\r\n" + v + "\r\n").getBytes(StandardCharsets.UTF_8)));
    files.forEach((k, v) -> {
      out.writeBytes(("--" + BOUNDARY + "\r\nContent-Disposition: form-data; name=\"" + k + "\"; filename=\"" + k
          + ".png\"\r\nContent-Type: image/png\r\n\r\n").getBytes(StandardCharsets.UTF_8));
      out.writeBytes(v);
      out.writeBytes("\r\n".getBytes(StandardCharsets.UTF_8));
    });
    out.writeBytes(("--" + BOUNDARY + "--\r\n").getBytes(StandardCharsets.UTF_8));
    return out.toByteArray();
  }

  static JsonNode tree(HttpResponse<byte[]> r) {
    try {
      return JSON.readTree(r.body());
    } catch (IOException e) {
      throw new UncheckedIOException(new String(r.body(), StandardCharsets.UTF_8), e);
    }
  }

  static String text(HttpResponse<byte[]> r) {
    return new String(r.body(), StandardCharsets.UTF_8);
  }

  /** A flat-coloured PNG of {@code w × h}. */
  static byte[] png(int w, int h, int r, int g, int b) {
    byte[] rgb = new byte[w * h * 3];
    for (int i = 0; i < w * h; i++) {
      rgb[3 * i] = (byte) r;
      rgb[3 * i + 1] = (byte) g;
      rgb[3 * i + 2] = (byte) b;
    }
    return PngCodec.encode(new RgbImage(w, h, rgb), Optional.empty());
  }

  static PngCodec.Decoded decode(byte[] png) {
    return PngCodec.decode(png, Long.MAX_VALUE);
  }

  /**
   * A raw HTTP/1.1 request to {@code base}'s port with the request line's path and the headers as
   * given ({@code Host} included, which {@link HttpClient} will not send as is): the status and the body.
   */
  static Map.Entry<Integer, String> raw(URI base, String method, String path, String headers, byte[] body) {
    try (Socket s = new Socket(base.getHost(), base.getPort())) {
      s.setSoTimeout(180_000);
      OutputStream out = s.getOutputStream();
      out.write((method + " " + path + " HTTP/1.1\r\n" + headers + "Content-Length: " + body.length
          + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
      out.write(body);
      out.flush();
      InputStream in = s.getInputStream();
      String all = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      int status = Integer.parseInt(all.substring(9, 12));
      int split = all.indexOf("\r\n\r\n");
      return Map.entry(status, split < 0 ? "" : all.substring(split + 4));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
