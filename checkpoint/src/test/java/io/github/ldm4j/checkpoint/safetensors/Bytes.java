package io.github.ldm4j.checkpoint.safetensors;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Hand-made safetensors bytes for the tests: length field, header, data. */
final class Bytes {

  private Bytes() {}

  /** {@code header} as the JSON header (its UTF-8 length as N) followed by {@code dataBytes} zero bytes. */
  static byte[] safetensors(String header, int dataBytes) {
    return safetensors(header.getBytes(StandardCharsets.UTF_8), new byte[dataBytes]);
  }

  /** {@code header} as the JSON header followed by {@code data}. */
  static byte[] safetensors(String header, byte[] data) {
    return safetensors(header.getBytes(StandardCharsets.UTF_8), data);
  }

  /** Raw header bytes (need not be UTF-8) followed by {@code data}. */
  static byte[] safetensors(byte[] header, byte[] data) {
    return concat(length(header.length), header, data);
  }

  /** The 8-byte little-endian length field. */
  static byte[] length(long n) {
    return ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(n).array();
  }

  static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      out.writeBytes(p);
    }
    return out.toByteArray();
  }

  /** Writes {@code bytes} to {@code dir/name} and returns the path. */
  static Path write(Path dir, String name, byte[] bytes) {
    try {
      return Files.write(dir.resolve(name), bytes);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A test resource next to this class, e.g. {@code reference/sd-tiny.safetensors}. */
  static byte[] resource(String name) {
    try (InputStream in = Bytes.class.getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalArgumentException("no test resource " + name);
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Little-endian 16-bit values. */
  static byte[] shorts(int... values) {
    ByteBuffer b = ByteBuffer.allocate(values.length * 2).order(ByteOrder.LITTLE_ENDIAN);
    for (int v : values) {
      b.putShort((short) v);
    }
    return b.array();
  }
}
