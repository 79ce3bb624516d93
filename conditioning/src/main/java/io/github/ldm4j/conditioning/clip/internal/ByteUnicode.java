package io.github.ldm4j.conditioning.clip.internal;

/**
 * CLIP/GPT-2 {@code bytes_to_unicode}: each of the 256 byte values as a printable character, so
 * that BPE runs on strings without white space or control characters. Printable Latin-1 bytes
 * (!..~, ¡..¬, ®..ÿ) map to themselves; the other 68 map, in byte order, to U+0100 onwards.
 */
public final class ByteUnicode {

  private static final char[] BYTE_TO_CHAR = new char[256];
  private static final int[] CHAR_TO_BYTE = new int[256 + 68];

  static {
    int next = 256;
    for (int b = 0; b < 256; b++) {
      boolean printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
      BYTE_TO_CHAR[b] = (char) (printable ? b : next++);
    }
    java.util.Arrays.fill(CHAR_TO_BYTE, -1);
    for (int b = 0; b < 256; b++) {
      CHAR_TO_BYTE[BYTE_TO_CHAR[b]] = b;
    }
  }

  private ByteUnicode() {}

  /** The character standing for byte {@code b} (0..255). */
  public static char charOf(int b) {
    return BYTE_TO_CHAR[b & 0xFF];
  }

  /** The byte a character stands for, or −1 when it stands for none. */
  public static int byteOf(char c) {
    return c < CHAR_TO_BYTE.length ? CHAR_TO_BYTE[c] : -1;
  }
}
