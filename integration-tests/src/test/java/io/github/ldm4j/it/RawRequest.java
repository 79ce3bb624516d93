package io.github.ldm4j.it;

import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;

/** An HTTP/1.1 POST written on a plain socket, so the test can drop the connection while it is served. */
final class RawRequest implements AutoCloseable {

  private final Socket socket;

  private RawRequest(Socket socket) {
    this.socket = socket;
  }

  /** Sends {@code body} to {@code path} and returns without reading the answer. */
  static RawRequest post(URI base, String path, String contentType, byte[] body) throws IOException {
    Socket s = new Socket(base.getHost(), base.getPort());
    OutputStream out = s.getOutputStream();
    out.write(("POST " + path + " HTTP/1.1\r\nHost: " + base.getHost() + ":" + base.getPort() + "\r\nContent-Type: "
        + contentType + "\r\nContent-Length: " + body.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
    out.write(body);
    out.flush();
    return new RawRequest(s);
  }

  /** A JSON POST. */
  static RawRequest postJson(URI base, String path, String json) throws IOException {
    return post(base, path, "application/json", json.getBytes(StandardCharsets.UTF_8));
  }

  /** Closes the connection (the client "disconnects"). */
  @Override
  public void close() throws IOException {
    socket.close();
  }
}
