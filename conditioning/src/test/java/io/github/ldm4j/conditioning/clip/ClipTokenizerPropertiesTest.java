package io.github.ldm4j.conditioning.clip;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.ldm4j.conditioning.TokenizedPrompt;
import io.github.ldm4j.conditioning.testsupport.RandomText;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Properties of the CLIP tokenizer on seeded random text (reproducible JUnit cases). */
class ClipTokenizerPropertiesTest {

  private static final ClipTokenizer TOK = ClipTokenizer.openAiClip();

  private static final String ENTITYISH =
      "&#;xX0123456789abcdefampltgquotnbsp<|>endoftextstartoftext' \t\n\u00a0\u0345\u017f\u001c";

  static Stream<Arguments> anyText() {
    SplittableRandom r = RandomText.random("anyText");
    return IntStream.range(0, 450).mapToObj(i -> {
      String s = switch (i % 3) {
        case 0 -> RandomText.anyChars(r, 120);
        case 1 -> RandomText.anyCodePoints(r, 40);
        default -> RandomText.from(r, ENTITYISH, 60);
      };
      return Arguments.of(RandomText.show(s), s);
    });
  }

  /** Any string (unpaired surrogates included) tokenizes to in-vocabulary ids and a valid row. */
  @ParameterizedTest(name = "[{index}] {0}")
  @MethodSource("anyText")
  void neverThrowsOnAnyText(String shown, String text) {
    int[] ids = TOK.tokenize(text);
    for (int id : ids) {
      assertThat(id).isBetween(0, TOK.vocabularySize() - 1);
    }
    TokenizedPrompt row = TOK.encode(text);
    assertThat(row.length()).isEqualTo(77);
    assertThat(row.keptTokens() + row.droppedTokens()).isEqualTo(ids.length);
    assertThat(row.ids()[0]).isEqualTo(TOK.bosId());
    assertThat(row.ids()[row.keptTokens() + 1]).isEqualTo(TOK.eosId());
    TOK.decode(ids);
  }

  static Stream<Arguments> asciiWords() {
    SplittableRandom r = RandomText.random("asciiWords");
    String letters = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
    return IntStream.range(0, 300).mapToObj(i -> {
      StringBuilder sb = new StringBuilder(RandomText.from(r, " \t\n\r", 3));
      int words = 1 + r.nextInt(15);
      for (int w = 0; w < words; w++) {
        sb.append(letters.charAt(r.nextInt(letters.length())));
        sb.append(RandomText.from(r, letters, 11));
        sb.append(w == words - 1 ? RandomText.from(r, " \t\n\r", 3) : " " + RandomText.from(r, " \t\n\r", 3));
      }
      return Arguments.of(RandomText.show(sb.toString()), sb.toString());
    });
  }

  /** Words of ASCII letters come back lower-cased with white space normalised to single spaces. */
  @ParameterizedTest(name = "[{index}] {0}")
  @MethodSource("asciiWords")
  void asciiWordsRoundTrip(String shown, String text) {
    String normalised = text.strip().replaceAll("[ \\t\\n\\r]+", " ").toLowerCase(Locale.ROOT);
    assertThat(TOK.decode(TOK.tokenize(text))).isEqualTo(normalised);
  }

  static Stream<Arguments> printableAscii() {
    SplittableRandom r = RandomText.random("printableAscii");
    StringBuilder alphabet = new StringBuilder("\t\n");
    for (char c = ' '; c <= '~'; c++) {
      if (c != '&') {
        alphabet.append(c);
      }
    }
    return IntStream.range(0, 300).mapToObj(i -> {
      String s = RandomText.from(r, alphabet.toString(), 100);
      return Arguments.of(RandomText.show(s), s);
    });
  }

  /**
   * Any printable ASCII text (no '&', so no entities) decodes to its normalised self with spaces
   * only added at word ends, and re-tokenizes to the same ids.
   */
  @ParameterizedTest(name = "[{index}] {0}")
  @MethodSource("printableAscii")
  void printableAsciiRoundTrip(String shown, String text) {
    int[] ids = TOK.tokenize(text);
    String decoded = TOK.decode(ids);
    String normalised = text.strip().replaceAll("[ \\t\\n]+", " ").toLowerCase(Locale.ROOT);
    assertThat(decoded.replace(" ", "")).isEqualTo(normalised.replace(" ", ""));
    assertThat(TOK.tokenize(decoded)).isEqualTo(ids);
  }
}
