package io.github.ldm4j.conditioning.clip.internal;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * HTML character-reference decoding with the rules of CPython's {@code html.unescape} (what CLIP's
 * {@code basic_clean} calls, twice):
 *
 * <ul>
 *   <li>named references: all 2231 HTML5 names ({@code &amp;amp;}, {@code &nbsp;}, {@code
 *       &eacute;}, {@code &NotEqualTilde;}, ...), the 106 legacy ones also without the semicolon
 *       ({@code &amp}, {@code &copy}), and the longest legacy prefix of an unknown name ({@code
 *       &notit;} → {@code ¬it;}); names are at most 32 code points; unknown names stay as text;
 *   <li>decimal {@code &#39;} and hexadecimal {@code &#x27;} references, the semicolon optional;
 *       0x80–0x9F map through Windows-1252 as browsers do, 0 and surrogates and values above
 *       0x10FFFF become U+FFFD, the control and non-character code points CPython lists as invalid
 *       are dropped.
 * </ul>
 */
public final class HtmlUnescape {

  /** CPython {@code html._invalid_charrefs} for 0x80..0x9F (Windows-1252; five map to themselves). */
  private static final char[] C1 = {
    '\u20ac', '\u0081', '\u201a', '\u0192', '\u201e', '\u2026', '\u2020', '\u2021',
    '\u02c6', '\u2030', '\u0160', '\u2039', '\u0152', '\u008d', '\u017d', '\u008f',
    '\u0090', '\u2018', '\u2019', '\u201c', '\u201d', '\u2022', '\u2013', '\u2014',
    '\u02dc', '\u2122', '\u0161', '\u203a', '\u0153', '\u009d', '\u017e', '\u0178',
  };

  private static final int MAX_NAME = 32;

  private HtmlUnescape() {}

  /** {@code text} with every character reference decoded once. */
  public static String unescape(String text) {
    int amp = text.indexOf('&');
    if (amp < 0) {
      return text;
    }
    StringBuilder out = new StringBuilder(text.length());
    out.append(text, 0, amp);
    int i = amp;
    int n = text.length();
    while (i < n) {
      char c = text.charAt(i);
      if (c != '&') {
        out.append(c);
        i++;
        continue;
      }
      int end = i + 1 < n && text.charAt(i + 1) == '#' ? numeric(text, i, out) : named(text, i, out);
      if (end < 0) {
        out.append('&');
        i++;
      } else {
        i = end;
      }
    }
    return out.toString();
  }

  /** Decodes {@code &#...} at {@code amp} into {@code out}; returns the end, or −1 for no match. */
  private static int numeric(String s, int amp, StringBuilder out) {
    int n = s.length();
    int p = amp + 2;
    int radix = 10;
    if (p < n && isDigit(s.charAt(p), 10)) {
      radix = 10;
    } else if (p + 1 < n && (s.charAt(p) == 'x' || s.charAt(p) == 'X') && isDigit(s.charAt(p + 1), 16)) {
      radix = 16;
      p++;
    } else {
      return -1;
    }
    long value = 0;
    while (p < n && isDigit(s.charAt(p), radix)) {
      if (value <= 0x10FFFF) {
        value = value * radix + Character.digit(s.charAt(p), radix);
      }
      p++;
    }
    if (p < n && s.charAt(p) == ';') {
      p++;
    }
    appendCodePoint(value, out);
    return p;
  }

  private static boolean isDigit(char c, int radix) {
    return radix == 10 ? c >= '0' && c <= '9'
        : (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
  }

  private static void appendCodePoint(long cp, StringBuilder out) {
    if (cp == 0) {
      out.append('\uFFFD');
    } else if (cp == 0x0D) {
      out.append('\r');
    } else if (cp >= 0x80 && cp <= 0x9F) {
      out.append(C1[(int) cp - 0x80]);
    } else if ((cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF) {
      out.append('\uFFFD');
    } else if (!isDroppedCodePoint((int) cp)) {
      out.appendCodePoint((int) cp);
    }
  }

  /** CPython {@code html._invalid_codepoints} outside 0x80..0x9F: decoded to nothing. */
  private static boolean isDroppedCodePoint(int cp) {
    return (cp >= 0x01 && cp <= 0x08) || cp == 0x0B || (cp >= 0x0E && cp <= 0x1F) || cp == 0x7F
        || (cp >= 0xFDD0 && cp <= 0xFDEF) || (cp & 0xFFFE) == 0xFFFE;
  }

  /** Decodes a named reference at {@code amp} into {@code out}; returns the end, or −1 for no match. */
  private static int named(String s, int amp, StringBuilder out) {
    int n = s.length();
    int p = amp + 1;
    int count = 0;
    while (p < n && count < MAX_NAME) {
      int cp = s.codePointAt(p);
      if (cp == '\t' || cp == '\n' || cp == '\f' || cp == ' ' || cp == '<' || cp == '&' || cp == '#' || cp == ';') {
        break;
      }
      p += Character.charCount(cp);
      count++;
    }
    if (count == 0) {
      return -1;
    }
    if (p < n && s.charAt(p) == ';') {
      p++;
    }
    String name = s.substring(amp + 1, p);
    Map<String, String> table = Entities.TABLE;
    String hit = table.get(name);
    if (hit != null) {
      out.append(hit);
      return p;
    }
    // Longest prefix of at least two code points that is a (legacy, semicolon-less) name.
    int codePoints = name.codePointCount(0, name.length());
    for (int x = codePoints - 1; x > 1; x--) {
      int cut = name.offsetByCodePoints(0, x);
      String prefixHit = table.get(name.substring(0, cut));
      if (prefixHit != null) {
        out.append(prefixHit).append(name, cut, name.length());
        return p;
      }
    }
    out.append('&').append(name);
    return p;
  }

  /** The HTML5 table, loaded on first use. */
  private static final class Entities {
    static final Map<String, String> TABLE = load();

    private static Map<String, String> load() {
      String resource = "html5-entities.txt";
      Map<String, String> map = new HashMap<>(4096);
      try (InputStream in = HtmlUnescape.class.getResourceAsStream(resource)) {
        if (in == null) {
          throw new IllegalStateException("missing classpath resource " + resource + " next to " + HtmlUnescape.class.getName());
        }
        BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
        for (String line; (line = r.readLine()) != null; ) {
          if (line.isEmpty() || line.startsWith("#")) {
            continue;
          }
          String[] f = line.split(" ");
          StringBuilder value = new StringBuilder(2);
          for (String hex : f[1].split(",")) {
            value.appendCodePoint(Integer.parseInt(hex, 16));
          }
          String v = value.toString();
          map.put(f[0] + ";", v);
          if (f.length > 2 && f[2].equals("legacy")) {
            map.put(f[0], v);
          }
        }
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read " + resource, e);
      }
      return Map.copyOf(map);
    }
  }
}
