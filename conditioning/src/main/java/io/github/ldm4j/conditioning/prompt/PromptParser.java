package io.github.ldm4j.conditioning.prompt;

import io.github.ldm4j.conditioning.prompt.internal.AttentionLexer;
import io.github.ldm4j.conditioning.prompt.internal.AttentionLexer.Kind;
import io.github.ldm4j.conditioning.prompt.internal.AttentionLexer.Token;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Parses the prompt-weighting syntax of AUTOMATIC1111's web UI ({@code parse_prompt_attention}):
 *
 * <ul>
 *   <li>{@code (text)} multiplies the weight of {@code text} by 1.1, {@code ((text))} by 1.21,
 *       {@code [text]} divides it by 1.1, {@code (text:1.5)} multiplies it by 1.5; brackets nest
 *       and multiply;
 *   <li>{@code \(}, {@code \)}, {@code \[}, {@code \]}, {@code \\} are the literal characters; a
 *       backslash before anything else disappears;
 *   <li>{@code BREAK} (a whole word, upper case) ends the current 75-token chunk;
 *   <li>brackets still open at the end apply to everything after them; unmatched closing brackets
 *       are text; adjacent pieces of equal weight are merged.
 * </ul>
 *
 * See {@link PromptSyntax} for the strict and plain variants.
 */
public final class PromptParser {

  /** The multiplier of round brackets. */
  public static final double ROUND_MULTIPLIER = 1.1;

  /** The multiplier of square brackets: 1 / 1.1. */
  public static final double SQUARE_MULTIPLIER = 1 / 1.1;

  private PromptParser() {}

  /**
   * The weighted segments of {@code prompt}; never empty.
   *
   * @throws IllegalArgumentException for a null prompt; for a weight Python's {@code float} would
   *     reject ({@code (x:1.2.3)}); under {@link PromptSyntax#A1111_STRICT} also for a colon in
   *     round brackets not followed by a number ({@code (x:abc)}, {@code (x:)}) and for negative
   *     weights
   */
  public static List<PromptSegment> parse(String prompt, PromptSyntax syntax) {
    if (prompt == null) {
      throw new IllegalArgumentException("prompt must not be null");
    }
    Objects.requireNonNull(syntax, "syntax");
    if (syntax == PromptSyntax.PLAIN) {
      return List.of(new PromptSegment.Text(prompt, 1.0));
    }
    return new Run(prompt, syntax == PromptSyntax.A1111_STRICT).parse();
  }

  /** One parse, as A1111's list of [text, weight] pairs. */
  private static final class Run {
    private final String prompt;
    private final boolean strict;
    private final List<Entry> res = new ArrayList<>();

    Run(String prompt, boolean strict) {
      this.prompt = prompt;
      this.strict = strict;
    }

    List<PromptSegment> parse() {
      List<Token> tokens = AttentionLexer.lex(prompt);
      List<Integer> round = new ArrayList<>();
      List<Integer> square = new ArrayList<>();
      for (int k = 0; k < tokens.size(); k++) {
        Token t = tokens.get(k);
        switch (t.kind()) {
          case ESCAPE -> res.add(new Entry(t.text(), 1.0, false));
          case OPEN_ROUND -> round.add(res.size());
          case OPEN_SQUARE -> square.add(res.size());
          case WEIGHT_CLOSE -> {
            if (!round.isEmpty()) {
              multiplyRange(round.removeLast(), weight(t.weight()));
            } else {
              addText(t.text());
            }
          }
          case CLOSE_ROUND -> {
            if (!round.isEmpty()) {
              multiplyRange(round.removeLast(), ROUND_MULTIPLIER);
            } else {
              addText(t.text());
            }
          }
          case CLOSE_SQUARE -> {
            if (!square.isEmpty()) {
              multiplyRange(square.removeLast(), SQUARE_MULTIPLIER);
            } else {
              addText(t.text());
            }
          }
          case COLON -> {
            if (strict && !round.isEmpty()) {
              rejectColonWithoutNumber(tokens, k);
            }
            addText(t.text());
          }
          case TEXT -> addText(t.text());
        }
      }
      for (int pos : round) {
        multiplyRange(pos, ROUND_MULTIPLIER);
      }
      for (int pos : square) {
        multiplyRange(pos, SQUARE_MULTIPLIER);
      }
      if (res.isEmpty()) {
        res.add(new Entry("", 1.0, false));
      }
      mergeEqualWeights();
      List<PromptSegment> out = new ArrayList<>(res.size());
      for (Entry e : res) {
        boolean isBreak = strict ? e.isBreak : e.text.toString().equals("BREAK") && e.weight == -1.0;
        out.add(isBreak ? PromptSegment.Break.INSTANCE : new PromptSegment.Text(e.text.toString(), e.weight));
      }
      return List.copyOf(out);
    }

    private void addText(String text) {
      List<String> parts = AttentionLexer.splitBreaks(text);
      for (int i = 0; i < parts.size(); i++) {
        if (i > 0) {
          res.add(new Entry("BREAK", -1.0, true));
        }
        res.add(new Entry(parts.get(i), 1.0, false));
      }
    }

    private void multiplyRange(int start, double multiplier) {
      for (int p = start; p < res.size(); p++) {
        Entry e = res.get(p);
        if (!(strict && e.isBreak)) {
          e.weight *= multiplier;
        }
      }
    }

    private void mergeEqualWeights() {
      int i = 0;
      while (i + 1 < res.size()) {
        Entry a = res.get(i);
        Entry b = res.get(i + 1);
        if (a.weight == b.weight && !(strict && (a.isBreak || b.isBreak))) {
          a.text.append(b.text);
          res.remove(i + 1);
        } else {
          i++;
        }
      }
    }

    /** Python's {@code float()} of the matched {@code [+-]?[.\d]+} (Unicode digits allowed). */
    private double weight(String text) {
      StringBuilder ascii = new StringBuilder(text.length());
      int dots = 0;
      int digits = 0;
      for (int i = 0; i < text.length(); ) {
        int cp = text.codePointAt(i);
        i += Character.charCount(cp);
        if (cp == '+' || cp == '-') {
          ascii.append((char) cp);
        } else if (cp == '.') {
          dots++;
          ascii.append('.');
        } else {
          digits++;
          ascii.append((char) ('0' + Character.digit(cp, 10)));
        }
      }
      if (dots > 1 || digits == 0) {
        throw new IllegalArgumentException(
            "invalid prompt weight '" + text + "' in \"" + prompt + "\": expected a number such as 1.2");
      }
      double w = Double.parseDouble(ascii.toString());
      if (strict && w < 0) {
        throw new IllegalArgumentException(
            "negative prompt weight " + text + " in \"" + prompt + "\": weights must be >= 0");
      }
      return w;
    }

    private void rejectColonWithoutNumber(List<Token> tokens, int colon) {
      Token next = colon + 1 < tokens.size() ? tokens.get(colon + 1) : null;
      if (next != null && next.kind() == Kind.CLOSE_ROUND) {
        throw new IllegalArgumentException(
            "missing prompt weight after ':' in \"" + prompt + "\": expected (text:number)");
      }
      Token after = colon + 2 < tokens.size() ? tokens.get(colon + 2) : null;
      if (next != null && next.kind() == Kind.TEXT && after != null && after.kind() == Kind.CLOSE_ROUND) {
        throw new IllegalArgumentException(
            "invalid prompt weight '" + next.text().strip() + "' in \"" + prompt
                + "\": expected (text:number) with a number >= 0 such as 1.2");
      }
    }
  }

  /** A mutable [text, weight] pair. */
  private static final class Entry {
    final StringBuilder text;
    double weight;
    final boolean isBreak;

    Entry(String text, double weight, boolean isBreak) {
      this.text = new StringBuilder(text);
      this.weight = weight;
      this.isBreak = isBreak;
    }
  }
}
