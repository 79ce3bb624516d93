package io.github.ldm4j.export.onnx.internal;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A write-only encoder of one protocol-buffers message in the wire format: tags, varints, 32-bit
 * floats and length-delimited fields (strings, bytes, nested messages). A nested message is encoded
 * into its own writer first, so its length is known, and then embedded with {@link #message}.
 *
 * <p>Small pieces are copied into the enclosing writer; byte arrays of at least {@link #SHARE_BYTES}
 * (tensor contents, large nested messages) are kept by reference until {@link #writeTo} or {@link
 * #toByteArray}, so an initializer's {@code raw_data} is never copied on its way into the model.
 * Callers must therefore not change an array after passing it to {@link #bytes}, nor write to a
 * writer after embedding it. Fields are written in call order: callers write them in field-number
 * order, as protobuf-java does. Not thread-safe.
 */
public final class ProtoWriter {

  /** Wire type of varint fields. */
  public static final int VARINT = 0;
  /** Wire type of length-delimited fields. */
  public static final int LEN = 2;
  /** Wire type of 32-bit fields. */
  public static final int FIXED32 = 5;

  /** Pieces at least this long are referenced rather than copied. */
  static final int SHARE_BYTES = 1 << 14;

  /** A buffer this full is kept as a piece when it would have to grow (so it never exceeds about twice this). */
  private static final int FLUSH_BYTES = 1 << 20;

  /** A range of an array, referenced. */
  private record Piece(byte[] array, int offset, int length) { }

  private final List<Piece> pieces = new ArrayList<>();
  private byte[] buf = new byte[64];
  private int count;
  private long size;

  /** An empty message. */
  public ProtoWriter() {
  }

  /** The encoded size so far, in bytes. */
  public long size() {
    return size;
  }

  /** Writes an {@code int64}, {@code int32}, {@code uint64} or enum field (negative values take ten bytes). */
  public ProtoWriter int64(int field, long value) {
    tag(field, VARINT);
    varint(value);
    return this;
  }

  /** Writes a {@code float} field. */
  public ProtoWriter float32(int field, float value) {
    tag(field, FIXED32);
    int bits = Float.floatToRawIntBits(value);
    ensure(4);
    buf[count++] = (byte) bits;
    buf[count++] = (byte) (bits >>> 8);
    buf[count++] = (byte) (bits >>> 16);
    buf[count++] = (byte) (bits >>> 24);
    size += 4;
    return this;
  }

  /**
   * Writes a {@code string} field as UTF-8 (an unpaired surrogate becomes {@code '?'}, as in
   * protobuf-java).
   */
  public ProtoWriter string(int field, String value) {
    return bytes(field, value.getBytes(StandardCharsets.UTF_8));
  }

  /** Writes a {@code bytes} field; a large {@code value} is referenced, not copied (see the class comment). */
  public ProtoWriter bytes(int field, byte[] value) {
    tag(field, LEN);
    varint(value.length);
    append(value, 0, value.length);
    return this;
  }

  /** Writes {@code message} as a nested message field; {@code message} must not be written to afterwards. */
  public ProtoWriter message(int field, ProtoWriter message) {
    if (message == this) {
      throw new IllegalArgumentException("a message cannot contain itself");
    }
    tag(field, LEN);
    varint(message.size);
    for (Piece p : message.pieces) {
      append(p.array, p.offset, p.length);
    }
    append(message.buf, 0, message.count);
    return this;
  }

  /** Writes the encoded message to {@code out}. */
  public void writeTo(OutputStream out) throws IOException {
    for (Piece p : pieces) {
      out.write(p.array, p.offset, p.length);
    }
    out.write(buf, 0, count);
  }

  /**
   * The encoded message as one array.
   *
   * @throws IllegalStateException when it is too large for an array
   */
  public byte[] toByteArray() {
    if (size > Integer.MAX_VALUE - 8) {
      throw new IllegalStateException("message of " + size + " bytes does not fit in an array");
    }
    byte[] out = new byte[(int) size];
    int at = 0;
    for (Piece p : pieces) {
      System.arraycopy(p.array, p.offset, out, at, p.length);
      at += p.length;
    }
    System.arraycopy(buf, 0, out, at, count);
    return out;
  }

  private void tag(int field, int wireType) {
    if (field <= 0 || field > (1 << 29) - 1) {
      throw new IllegalArgumentException("bad field number " + field);
    }
    varint(((long) field << 3) | wireType);
  }

  private void varint(long v) {
    ensure(10);
    int start = count;
    while ((v & ~0x7FL) != 0) {
      buf[count++] = (byte) ((v & 0x7F) | 0x80);
      v >>>= 7;
    }
    buf[count++] = (byte) v;
    size += count - start;
  }

  private void append(byte[] array, int offset, int length) {
    if (length >= SHARE_BYTES) {
      if (count > 0) {
        pieces.add(new Piece(buf, 0, count));
        buf = new byte[64];
        count = 0;
      }
      pieces.add(new Piece(array, offset, length));
    } else {
      ensure(length);
      System.arraycopy(array, offset, buf, count, length);
      count += length;
    }
    size += length;
  }

  private void ensure(int more) {
    if (count + more <= buf.length) {
      return;
    }
    if (count >= FLUSH_BYTES) {
      // Start a new buffer rather than copying a large one again.
      pieces.add(new Piece(buf, 0, count));
      buf = new byte[Math.max(64, more)];
      count = 0;
    } else {
      buf = Arrays.copyOf(buf, Math.max(buf.length * 2, count + more));
    }
  }
}
