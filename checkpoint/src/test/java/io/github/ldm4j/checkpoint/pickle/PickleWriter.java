package io.github.ldm4j.checkpoint.pickle;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/** Writes pickles opcode by opcode, for tests that need exact or hostile byte sequences. */
final class PickleWriter {

  private final ByteArrayOutputStream out = new ByteArrayOutputStream();

  /** Raw opcode bytes ({@code op('(')}, {@code op(0x93)}). */
  PickleWriter op(int... opcodes) {
    for (int o : opcodes) {
      out.write(o);
    }
    return this;
  }

  PickleWriter raw(byte[] bytes) {
    out.writeBytes(bytes);
    return this;
  }

  PickleWriter u8(int v) {
    out.write(v);
    return this;
  }

  PickleWriter i32(int v) {
    out.writeBytes(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(v).array());
    return this;
  }

  PickleWriter i64(long v) {
    out.writeBytes(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(v).array());
    return this;
  }

  /** A text argument: the line and its newline. */
  PickleWriter line(String text) {
    out.writeBytes(text.getBytes(StandardCharsets.UTF_8));
    out.write('\n');
    return this;
  }

  PickleWriter proto(int version) {
    return op(0x80).u8(version);
  }

  PickleWriter global(String module, String name) {
    return op('c').line(module).line(name);
  }

  /** SHORT_BINUNICODE. */
  PickleWriter str(String s) {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    return op(0x8c).u8(b.length).raw(b);
  }

  /** BINUNICODE. */
  PickleWriter binUnicode(String s) {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    return op('X').i32(b.length).raw(b);
  }

  /** BININT. */
  PickleWriter integer(int v) {
    return op('J').i32(v);
  }

  PickleWriter stop() {
    return op('.');
  }

  byte[] bytes() {
    return out.toByteArray();
  }
}
