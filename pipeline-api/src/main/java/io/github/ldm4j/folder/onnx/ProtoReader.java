package io.github.ldm4j.folder.onnx;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;

/**
 * A forward-only reader of the protocol-buffers wire format over a memory segment (a mapped file),
 * enough to walk an ONNX {@code ModelProto} without generated classes: tags, varints, fixed-width
 * values and length-delimited fields, which it returns as sub-readers without copying. Skipping a
 * field costs nothing, so multi-gigabyte models are walked without reading their weights.
 *
 * <p>Not thread-safe; malformed input raises {@link IllegalArgumentException} with the offset.
 */
final class ProtoReader {

  /** Wire type of varint fields. */
  static final int VARINT = 0;
  /** Wire type of 64-bit fields. */
  static final int FIXED64 = 1;
  /** Wire type of length-delimited fields (messages, strings, bytes, packed repeated). */
  static final int LEN = 2;
  /** Wire type of 32-bit fields. */
  static final int FIXED32 = 5;

  private final MemorySegment data;
  private long pos;
  private int tag;

  ProtoReader(MemorySegment data) {
    this.data = data;
  }

  /** Whether bytes remain (for packed repeated fields, read with {@link #varint()} etc.). */
  boolean hasMore() {
    return pos < data.byteSize();
  }

  /** Advances to the next field; false at the end. */
  boolean next() {
    if (pos >= data.byteSize()) {
      return false;
    }
    long t = varint();
    if (t >>> 32 != 0 || (t >>> 3) == 0) {
      throw malformed("bad field tag " + t);
    }
    tag = (int) t;
    return true;
  }

  /** Field number of the current field. */
  int field() {
    return tag >>> 3;
  }

  /** Wire type of the current field. */
  int wireType() {
    return tag & 7;
  }

  /** Reads a varint. */
  long varint() {
    long result = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (pos >= data.byteSize()) {
        throw malformed("truncated varint");
      }
      byte b = data.get(ValueLayout.JAVA_BYTE, pos++);
      result |= (long) (b & 0x7f) << shift;
      if (b >= 0) {
        return result;
      }
    }
    throw malformed("varint longer than 10 bytes");
  }

  /** Reads a little-endian 32-bit value. */
  int fixed32() {
    require(4);
    int v = data.get(ValueLayout.JAVA_INT_UNALIGNED.withOrder(java.nio.ByteOrder.LITTLE_ENDIAN), pos);
    pos += 4;
    return v;
  }

  /** Reads a little-endian 64-bit value. */
  long fixed64() {
    require(8);
    long v = data.get(ValueLayout.JAVA_LONG_UNALIGNED.withOrder(java.nio.ByteOrder.LITTLE_ENDIAN), pos);
    pos += 8;
    return v;
  }

  /** The payload of the current length-delimited field, without copying. */
  MemorySegment bytes() {
    expect(LEN);
    long n = varint();
    if (n < 0) {
      throw malformed("negative length " + n);
    }
    require(n);
    MemorySegment s = data.asSlice(pos, n);
    pos += n;
    return s;
  }

  /** The current length-delimited field as a nested message. */
  ProtoReader message() {
    return new ProtoReader(bytes());
  }

  /** The current length-delimited field as UTF-8 text. */
  String string() {
    MemorySegment s = bytes();
    if (s.byteSize() > Integer.MAX_VALUE - 8) {
      throw malformed("string of " + s.byteSize() + " bytes");
    }
    return new String(s.toArray(ValueLayout.JAVA_BYTE), StandardCharsets.UTF_8);
  }

  /** Skips the current field's value. */
  void skip() {
    switch (wireType()) {
      case VARINT -> varint();
      case FIXED64 -> {
        require(8);
        pos += 8;
      }
      case LEN -> bytes();
      case FIXED32 -> {
        require(4);
        pos += 4;
      }
      default -> throw malformed("unsupported wire type " + wireType() + " (field " + field() + ")");
    }
  }

  private void expect(int wire) {
    if (wireType() != wire) {
      throw malformed("field " + field() + " has wire type " + wireType() + ", expected " + wire);
    }
  }

  private void require(long n) {
    if (pos + n > data.byteSize()) {
      throw malformed("field " + field() + " runs past the end (" + n + " bytes needed)");
    }
  }

  private IllegalArgumentException malformed(String what) {
    return new IllegalArgumentException("malformed protobuf at byte " + pos + ": " + what);
  }
}
