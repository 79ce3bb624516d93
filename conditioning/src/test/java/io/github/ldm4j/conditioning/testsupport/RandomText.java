package io.github.ldm4j.conditioning.testsupport;

import java.util.SplittableRandom;

/**
 * Reproducible random text for property-style tests (seeded JUnit cases): each generator draws
 * from the stream it is given, so a test seeded with a constant reruns identically and names a
 * failing case in its display name.
 */
public final class RandomText {

  private RandomText() {}

  /** A stream for the test called {@code name} (fixed master seed mixed with the name). */
  public static SplittableRandom random(String name) {
    return new SplittableRandom(0x5eed_c11bL ^ name.hashCode());
  }

  /** Up to {@code maxLength} UTF-16 code units drawn uniformly: unpaired surrogates included. */
  public static String anyChars(SplittableRandom r, int maxLength) {
    int n = r.nextInt(maxLength + 1);
    StringBuilder sb = new StringBuilder(n);
    for (int i = 0; i < n; i++) {
      sb.append((char) r.nextInt(Character.MAX_VALUE + 1));
    }
    return sb.toString();
  }

  /** Up to {@code maxCount} code points drawn uniformly from the whole range (surrogates too). */
  public static String anyCodePoints(SplittableRandom r, int maxCount) {
    int n = r.nextInt(maxCount + 1);
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < n; i++) {
      sb.appendCodePoint(r.nextInt(Character.MAX_CODE_POINT + 1));
    }
    return sb.toString();
  }

  /** Up to {@code maxLength} characters drawn from {@code alphabet} (code points). */
  public static String from(SplittableRandom r, String alphabet, int maxLength) {
    int[] cps = alphabet.codePoints().toArray();
    int n = r.nextInt(maxLength + 1);
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < n; i++) {
      sb.appendCodePoint(cps[r.nextInt(cps.length)]);
    }
    return sb.toString();
  }

  /** Up to {@code maxCount} of {@code pieces} joined. */
  public static String join(SplittableRandom r, String[] pieces, int maxCount) {
    int n = r.nextInt(maxCount + 1);
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < n; i++) {
      sb.append(pieces[r.nextInt(pieces.length)]);
    }
    return sb.toString();
  }

  /** {@code s} with control, non-ASCII and invisible characters as \\uXXXX, cut to 60 chars. */
  public static String show(String s) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < s.length() && sb.length() < 60; i++) {
      char c = s.charAt(i);
      sb.append(c >= 0x20 && c < 0x7F ? String.valueOf(c) : String.format("\\u%04x", (int) c));
    }
    return sb.toString();
  }
}
