package io.github.ldm4j.conditioning.clip.internal;

import java.util.List;

/**
 * The CLIP split pattern, as OpenAI's {@code simple_tokenizer.py} compiles it with the {@code regex}
 * module and {@code IGNORECASE}:
 * <pre>{@code <\|startoftext\|>|<\|endoftext\|>|'s|'t|'re|'ve|'m|'ll|'d|[\p{L}]+|[\p{N}]|[^\s\p{L}\p{N}]+}</pre>
 * scanned left to right as {@code findall} does, on cleaned (lower-cased) text. Hand-written
 * rather than {@link java.util.regex}: faster, and it reproduces two effects of {@code IGNORECASE}
 * on lower-cased text exactly: {@code 'ſ} (long s folds to s) is a contraction, and U+0345
 * (combining ypogegrammeni, which folds to a letter) matches no alternative and is dropped.
 * Special tokens are recognised only where a match starts ({@code a<|endoftext|>} splits, {@code
 * !!<|endoftext|>} does not).
 */
public final class ClipSplitter {

  /** Receives the pieces in order. */
  public interface Sink {
    /** A special token, by its index in the list given to the splitter. */
    void special(int index);

    /** A piece of text to byte-encode and BPE ({@code [from, to)} of the text). */
    void piece(String text, int from, int to);
  }

  private static final int YPOGEGRAMMENI = 0x0345;
  private static final int LONG_S = 0x017F;

  private final String[] specials;

  /** A splitter recognising {@code specials} (already lower-cased) as whole tokens. */
  public ClipSplitter(List<String> specials) {
    this.specials = specials.toArray(String[]::new);
    for (String sp : this.specials) {
      if (sp.isEmpty()) {
        throw new IllegalArgumentException("special tokens must not be empty");
      }
    }
  }

  /** Splits cleaned text into {@code sink}. */
  public void split(String s, Sink sink) {
    int n = s.length();
    int i = 0;
    outer:
    while (i < n) {
      char c = s.charAt(i);
      for (int k = 0; k < specials.length; k++) {
        if (specials[k].charAt(0) == c && s.startsWith(specials[k], i)) {
          sink.special(k);
          i += specials[k].length();
          continue outer;
        }
      }
      if (c == '\'') {
        int len = contraction(s, i);
        if (len > 0) {
          sink.piece(s, i, i + len);
          i += len;
          continue;
        }
      }
      int cp = s.codePointAt(i);
      if (ClipText.isLetter(cp)) {
        int j = i + Character.charCount(cp);
        while (j < n) {
          int d = s.codePointAt(j);
          if (!ClipText.isLetter(d)) {
            break;
          }
          j += Character.charCount(d);
        }
        sink.piece(s, i, j);
        i = j;
      } else if (ClipText.isNumber(cp)) {
        int j = i + Character.charCount(cp);
        sink.piece(s, i, j);
        i = j;
      } else if (ClipText.isWhiteSpace(cp) || cp == YPOGEGRAMMENI) {
        i++;
      } else {
        int j = i + Character.charCount(cp);
        while (j < n) {
          int d = s.codePointAt(j);
          if (ClipText.isWhiteSpace(d) || ClipText.isLetter(d) || ClipText.isNumber(d) || d == YPOGEGRAMMENI) {
            break;
          }
          j += Character.charCount(d);
        }
        sink.piece(s, i, j);
        i = j;
      }
    }
  }

  /** Length of the contraction starting with the apostrophe at {@code i}, or 0. */
  private static int contraction(String s, int i) {
    int n = s.length();
    if (i + 1 >= n) {
      return 0;
    }
    char a = s.charAt(i + 1);
    if (a == 's' || a == 't' || a == 'm' || a == 'd' || a == LONG_S) {
      return 2;
    }
    if (i + 2 < n) {
      char b = s.charAt(i + 2);
      if ((a == 'r' && b == 'e') || (a == 'v' && b == 'e') || (a == 'l' && b == 'l')) {
        return 3;
      }
    }
    return 0;
  }
}
