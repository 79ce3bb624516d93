package io.github.ldm4j.checkpoint.pickle.internal;

import java.util.Arrays;

/**
 * A Python {@code bytes} (or {@code bytearray}) value: an immutable copy of the bytes, compared by
 * content.
 */
public final class Bytes {

  private final byte[] data;

  /** @param data copied */
  public Bytes(byte[] data) {
    this.data = data.clone();
  }

  /** A copy of the bytes. */
  public byte[] toArray() {
    return data.clone();
  }

  /** The number of bytes. */
  public int length() {
    return data.length;
  }

  /** The byte at {@code i}. */
  public byte get(int i) {
    return data[i];
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Bytes b && Arrays.equals(data, b.data);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(data);
  }

  @Override
  public String toString() {
    return "bytes[" + data.length + "]";
  }
}
