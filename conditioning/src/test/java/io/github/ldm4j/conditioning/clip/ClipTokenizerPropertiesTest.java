package io.github.ldm4j.conditioning.clip;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.ldm4j.conditioning.TokenizedPrompt;
import java.util.Locale;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** Properties of the CLIP tokenizer on generated text. */
class ClipTokenizerPropertiesTest {

  private static final ClipTokenizer TOK = ClipTokenizer.openAiClip();

  @Provide
  Arbitrary<String> anyUnicode() {
    Arbitrary<String> all = Arbitraries.strings().all().ofMaxLength(120);
    Arbitrary<String> codePoints = Arbitraries.integers().between(0, Character.MAX_CODE_POINT)
        .map(Character::toString).list().ofMaxSize(40).map(l -> String.join("", l));
    Arbitrary<String> entityish = Arbitraries.strings()
        .withChars("&#;xX0123456789abcdefampltgquotnbsp<|>endoftextstartoftext' \t\n\u00a0\u0345\u017f")
        .ofMaxLength(60);
    return Arbitraries.oneOf(all, codePoints, entityish);
  }

  /** Any string (unpaired surrogates included) tokenizes to in-vocabulary ids and a valid row. */
  @Property(tries = 400)
  void neverThrowsOnAnyText(@ForAll("anyUnicode") String text) {
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

  @Provide
  Arbitrary<String> asciiWords() {
    Arbitrary<String> word = Arbitraries.strings().withCharRange('a', 'z').withCharRange('A', 'Z').ofMinLength(1).ofMaxLength(12);
    Arbitrary<String> gap = Arbitraries.strings().withChars(" \t\n\r").ofMinLength(1).ofMaxLength(4);
    return Arbitraries.lazy(() -> word.list().ofMinSize(1).ofMaxSize(15).flatMap(ws ->
        gap.list().ofSize(ws.size() + 1).map(gs -> {
          StringBuilder sb = new StringBuilder(gs.get(0));
          for (int i = 0; i < ws.size(); i++) {
            sb.append(ws.get(i)).append(gs.get(i + 1));
          }
          return sb.toString();
        })));
  }

  /** Words of ASCII letters come back lower-cased with white space normalised to single spaces. */
  @Property(tries = 300)
  void asciiWordsRoundTrip(@ForAll("asciiWords") String text) {
    String normalised = text.strip().replaceAll("[ \\t\\n\\r]+", " ").toLowerCase(Locale.ROOT);
    assertThat(TOK.decode(TOK.tokenize(text))).isEqualTo(normalised);
  }

  @Provide
  Arbitrary<String> printableAscii() {
    return Arbitraries.strings().withCharRange(' ', '~').withChars('\t', '\n').ofMaxLength(100)
        .filter(s -> s.indexOf('&') < 0);
  }

  /**
   * Any printable ASCII text (no '&', so no entities) decodes to its normalised self with spaces
   * only added at word ends, and re-tokenizes to the same ids.
   */
  @Property(tries = 300)
  void printableAsciiRoundTrip(@ForAll("printableAscii") String text) {
    int[] ids = TOK.tokenize(text);
    String decoded = TOK.decode(ids);
    String normalised = text.strip().replaceAll("[ \\t\\n]+", " ").toLowerCase(Locale.ROOT);
    assertThat(decoded.replace(" ", "")).isEqualTo(normalised.replace(" ", ""));
    assertThat(TOK.tokenize(decoded)).isEqualTo(ids);
  }
}
