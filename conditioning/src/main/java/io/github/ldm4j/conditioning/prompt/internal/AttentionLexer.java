package io.github.ldm4j.conditioning.prompt.internal;

import java.util.ArrayList;
import java.util.List;

/**
 * The tokens of A1111's {@code re_attention}, found left to right as {@code finditer} does, the
 * alternatives tried in the same order:
 * <pre>{@code \\\( | \\\) | \\\[ | \\] | \\\\ | \\ | \( | \[ | :\s*([+-]?[.\d]+)\s*\) | \) | ] | [^\\()\[\]:]+ | :}</pre>
 * {@code \s} and {@code \d} have Python's Unicode meaning ({@code str.isspace}, decimal digits).
 */
public final class AttentionLexer {

  /** Token kinds. */
  public enum Kind {
    /** A backslash escape; {@link Token#text()} is what it stands for (empty for a lone backslash). */
    ESCAPE,
    /** {@code (}. */
    OPEN_ROUND,
    /** {@code [}. */
    OPEN_SQUARE,
    /** {@code :w)}; {@link Token#weight()} is the matched number text. */
    WEIGHT_CLOSE,
    /** {@code )}. */
    CLOSE_ROUND,
    /** {@code ]}. */
    CLOSE_SQUARE,
    /** A run of text without {@code \ ( ) [ ] :}. */
    TEXT,
    /** A colon that does not start a weight. */
    COLON
  }

  /**
   * One token.
   *
   * @param kind the kind
   * @param text the matched text (for {@link Kind#ESCAPE}, the literal it stands for)
   * @param weight the number text of a {@link Kind#WEIGHT_CLOSE}, else null
   */
  public record Token(Kind kind, String text, String weight) {}

  private AttentionLexer() {}

  /** The tokens of {@code s}. */
  public static List<Token> lex(String s) {
    List<Token> out = new ArrayList<>();
    int n = s.length();
    int i = 0;
    while (i < n) {
      char c = s.charAt(i);
      switch (c) {
        case '\\' -> {
          if (i + 1 < n && "()[]\\".indexOf(s.charAt(i + 1)) >= 0) {
            out.add(new Token(Kind.ESCAPE, String.valueOf(s.charAt(i + 1)), null));
            i += 2;
          } else {
            out.add(new Token(Kind.ESCAPE, "", null));
            i++;
          }
        }
        case '(' -> {
          out.add(new Token(Kind.OPEN_ROUND, "(", null));
          i++;
        }
        case '[' -> {
          out.add(new Token(Kind.OPEN_SQUARE, "[", null));
          i++;
        }
        case ')' -> {
          out.add(new Token(Kind.CLOSE_ROUND, ")", null));
          i++;
        }
        case ']' -> {
          out.add(new Token(Kind.CLOSE_SQUARE, "]", null));
          i++;
        }
        case ':' -> {
          int end = weightEnd(s, i);
          if (end > 0) {
            out.add(new Token(Kind.WEIGHT_CLOSE, s.substring(i, end), weightText(s, i)));
            i = end;
          } else {
            out.add(new Token(Kind.COLON, ":", null));
            i++;
          }
        }
        default -> {
          int j = i + 1;
          while (j < n && "\\()[]:".indexOf(s.charAt(j)) < 0) {
            j++;
          }
          out.add(new Token(Kind.TEXT, s.substring(i, j), null));
          i = j;
        }
      }
    }
    return out;
  }

  /** End of {@code :\s*[+-]?[.\d]+\s*\)} at {@code colon}, or −1. */
  private static int weightEnd(String s, int colon) {
    int n = s.length();
    int p = skipSpace(s, colon + 1);
    if (p < n && (s.charAt(p) == '+' || s.charAt(p) == '-')) {
      p++;
    }
    int digitsStart = p;
    p = skipNumber(s, p);
    if (p == digitsStart) {
      return -1;
    }
    p = skipSpace(s, p);
    return p < n && s.charAt(p) == ')' ? p + 1 : -1;
  }

  private static String weightText(String s, int colon) {
    int p = skipSpace(s, colon + 1);
    int start = p;
    if (s.charAt(p) == '+' || s.charAt(p) == '-') {
      p++;
    }
    return s.substring(start, skipNumber(s, p));
  }

  /** Past {@code [.\d]*} at {@code p} (Unicode decimal digits, as Python's {@code \d}). */
  private static int skipNumber(String s, int p) {
    while (p < s.length()) {
      int cp = s.codePointAt(p);
      if (cp != '.' && !Character.isDigit(cp)) {
        break;
      }
      p += Character.charCount(cp);
    }
    return p;
  }

  private static int skipSpace(String s, int p) {
    while (p < s.length() && isPythonSpace(s.charAt(p))) {
      p++;
    }
    return p;
  }

  /** CPython {@code str.isspace} (what {@code \s} matches in {@code re} on str). */
  static boolean isPythonSpace(char c) {
    return (c >= 0x09 && c <= 0x0D) || (c >= 0x1C && c <= 0x20) || c == 0x85 || c == 0xA0 || c == 0x1680
        || (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 || c == 0x202F || c == 0x205F
        || c == 0x3000;
  }

  /** CPython {@code \w} on str: alphanumeric (letters, digits, numerics) or underscore. */
  static boolean isWordChar(int cp) {
    if (cp == '_' || Character.isLetterOrDigit(cp)) {
      return true;
    }
    int t = Character.getType(cp);
    return t == Character.LETTER_NUMBER || t == Character.OTHER_NUMBER;
  }

  /**
   * {@code re.split(r"\s*\bBREAK\b\s*", text)}: the parts of a text token between {@code BREAK}
   * keywords (whole words, with the white space around them).
   */
  public static List<String> splitBreaks(String text) {
    List<String> parts = new ArrayList<>(1);
    int from = 0;
    int search = 0;
    while (true) {
      int k = text.indexOf("BREAK", search);
      if (k < 0) {
        break;
      }
      int after = k + 5;
      boolean boundaryBefore = k == 0 || !isWordChar(text.codePointBefore(k));
      boolean boundaryAfter = after == text.length() || !isWordChar(text.codePointAt(after));
      if (!boundaryBefore || !boundaryAfter) {
        search = k + 1;
        continue;
      }
      int start = k;
      while (start > from && isPythonSpace(text.charAt(start - 1))) {
        start--;
      }
      int end = after;
      while (end < text.length() && isPythonSpace(text.charAt(end))) {
        end++;
      }
      parts.add(text.substring(from, start));
      from = end;
      search = end;
    }
    parts.add(text.substring(from));
    return parts;
  }
}
