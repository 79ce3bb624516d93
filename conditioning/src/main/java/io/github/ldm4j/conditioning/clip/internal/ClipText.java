package io.github.ldm4j.conditioning.clip.internal;

import java.text.Normalizer;
import java.util.Locale;

/**
 * Character classes of the reference CLIP tokenizer and its text cleaning ({@code basic_clean} +
 * {@code whitespace_clean} + {@code lower()} of OpenAI's {@code simple_tokenizer.py}, without
 * ftfy).
 *
 * <p>Cleaning, in order: unpaired surrogates → U+FFFD (CPython would fail to encode them); HTML
 * unescape twice ({@link HtmlUnescape}); Unicode NFC (ftfy's last step, also the first step of
 * the Hugging Face fast CLIP tokenizer); strip; runs of white space → one space; strip; lower-case
 * (full Unicode mapping, final sigma included). "White space" is the Unicode White_Space property
 * (the {@code regex} module's {@code \s}); the strips use CPython's {@code str.isspace}, which
 * adds U+001C..U+001F.
 */
public final class ClipText {

  private ClipText() {}

  /** The cleaned, lower-cased text the split pattern runs on. */
  public static String clean(String text) {
    String s = replaceUnpairedSurrogates(text);
    s = HtmlUnescape.unescape(HtmlUnescape.unescape(s));
    if (!Normalizer.isNormalized(s, Normalizer.Form.NFC)) {
      s = Normalizer.normalize(s, Normalizer.Form.NFC);
    }
    s = collapseWhiteSpace(strip(s));
    return strip(s).toLowerCase(Locale.ROOT);
  }

  /** Unicode White_Space (the {@code regex} module's {@code \s}). */
  public static boolean isWhiteSpace(int cp) {
    return (cp >= 0x09 && cp <= 0x0D) || cp == 0x20 || cp == 0x85 || cp == 0xA0 || cp == 0x1680
        || (cp >= 0x2000 && cp <= 0x200A) || cp == 0x2028 || cp == 0x2029 || cp == 0x202F
        || cp == 0x205F || cp == 0x3000;
  }

  /** CPython {@code str.isspace}: White_Space plus the separators U+001C..U+001F. */
  static boolean isPythonSpace(int cp) {
    return isWhiteSpace(cp) || (cp >= 0x1C && cp <= 0x1F);
  }

  /** {@code \p{L}}: general category L*. */
  public static boolean isLetter(int cp) {
    return Character.isLetter(cp);
  }

  /** {@code \p{N}}: general category Nd, Nl or No. */
  public static boolean isNumber(int cp) {
    int t = Character.getType(cp);
    return t == Character.DECIMAL_DIGIT_NUMBER || t == Character.LETTER_NUMBER || t == Character.OTHER_NUMBER;
  }

  private static String strip(String s) {
    int start = 0;
    int end = s.length();
    while (start < end && isPythonSpace(s.charAt(start))) {
      start++;
    }
    while (end > start && isPythonSpace(s.charAt(end - 1))) {
      end--;
    }
    return start == 0 && end == s.length() ? s : s.substring(start, end);
  }

  private static String collapseWhiteSpace(String s) {
    int n = s.length();
    int i = 0;
    while (i < n && !(isWhiteSpace(s.charAt(i)) && (s.charAt(i) != ' ' || (i + 1 < n && isWhiteSpace(s.charAt(i + 1)))))) {
      i++;
    }
    if (i == n) {
      return s;
    }
    StringBuilder out = new StringBuilder(n);
    out.append(s, 0, i);
    while (i < n) {
      char c = s.charAt(i);
      if (isWhiteSpace(c)) {
        out.append(' ');
        while (i < n && isWhiteSpace(s.charAt(i))) {
          i++;
        }
      } else {
        out.append(c);
        i++;
      }
    }
    return out.toString();
  }

  private static String replaceUnpairedSurrogates(String s) {
    StringBuilder out = null;
    int n = s.length();
    for (int i = 0; i < n; i++) {
      char c = s.charAt(i);
      if (Character.isSurrogate(c)) {
        boolean paired = Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1));
        if (paired) {
          if (out != null) {
            out.append(c).append(s.charAt(i + 1));
          }
          i++;
          continue;
        }
        if (out == null) {
          out = new StringBuilder(n).append(s, 0, i);
        }
        out.append('\uFFFD');
      } else if (out != null) {
        out.append(c);
      }
    }
    return out == null ? s : out.toString();
  }
}
