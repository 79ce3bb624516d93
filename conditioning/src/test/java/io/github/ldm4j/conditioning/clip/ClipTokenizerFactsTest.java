package io.github.ldm4j.conditioning.clip;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.ldm4j.conditioning.TokenizedPrompt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The CLIP tokenizer against docs/reference-facts.md §5. */
class ClipTokenizerFactsTest {

  private final ClipTokenizer tok = ClipTokenizer.openAiClip();

  @Test
  void vocabularyShapeAndSpecials() {
    ClipVocabulary v = ClipVocabulary.openAiClip();
    assertThat(v.size()).isEqualTo(49408);
    assertThat(v.mergeCount()).isEqualTo(49152 - 256 - 2);
    assertThat(v.id("<|startoftext|>")).hasValue(49406);
    assertThat(v.id("<|endoftext|>")).hasValue(49407);
    assertThat(tok.bosId()).isEqualTo(49406);
    assertThat(tok.eosId()).isEqualTo(49407);
    assertThat(tok.padId()).isEqualTo(49407);
    assertThat(tok.contextLength()).isEqualTo(77);
    // vocab = 256 byte symbols (printable bytes first), the same with </w>, then the merges
    assertThat(v.token(0)).hasValue("!");
    assertThat(v.token(256)).hasValue("!</w>");
    assertThat(v.token(512)).hasValue("in");
  }

  @Test
  void aPhotoOfACat() {
    TokenizedPrompt p = tok.encode("a photo of a cat");
    assertThat(p.ids()).startsWith(49406, 320, 1125, 539, 320, 2368, 49407);
    assertThat(p.length()).isEqualTo(77);
    for (int i = 7; i < 77; i++) {
      assertThat(p.ids()[i]).as("pad at %d", i).isEqualTo(49407);
    }
    assertThat(p.truncated()).isFalse();
    assertThat(p.keptTokens()).isEqualTo(5);
    assertThat(p.contentIds()).containsExactly(320, 1125, 539, 320, 2368);
  }

  @Test
  void aRedCircleIsLowerCased() {
    assertThat(tok.encode("A red circle").ids()).startsWith(49406, 320, 736, 7117, 49407, 49407);
  }

  @ParameterizedTest
  @CsvSource({"red,736", "green,1901", "blue,1746", "yellow,4481", "circle,7117", "square,3999",
      "triangle,14615", "cross,3417"})
  void singleTokenWords(String word, int id) {
    assertThat(tok.tokenize(word)).containsExactly(id);
  }

  @Test
  void emptyPromptIsBosEosThenPadding() {
    int[] ids = tok.encode("").ids();
    assertThat(ids[0]).isEqualTo(49406);
    assertThat(ids[1]).isEqualTo(49407);
    assertThat(ids).hasSize(77);
  }

  @Test
  void openClipStylePaddingUsesIdZeroAfterEos() {
    ClipTokenizer sd2 = new ClipTokenizer(ClipVocabulary.openAiClip().withPadToken("!"));
    int[] ids = sd2.encode("a photo of a cat").ids();
    assertThat(ids).startsWith(49406, 320, 1125, 539, 320, 2368, 49407, 0, 0);
    assertThat(ids[76]).isZero();
    // "!" is a normal token in text, not a special: "wow!!" keeps its merged "!!</w>"
    assertThat(sd2.tokenize("wow!!")).isEqualTo(tok.tokenize("wow!!"));
  }

  @Test
  void truncationIsReportedNeverSilent() {
    String prompt = "cat ".repeat(80);
    TokenizedPrompt p = tok.encode(prompt);
    assertThat(p.truncated()).isTrue();
    assertThat(p.keptTokens()).isEqualTo(75);
    assertThat(p.droppedTokens()).isEqualTo(5);
    assertThat(p.ids()[76]).isEqualTo(49407);
    assertThat(p.ids()[75]).isEqualTo(2368);
    TokenizedPrompt exact = tok.encode("cat ".repeat(75));
    assertThat(exact.truncated()).isFalse();
    assertThat(exact.keptTokens()).isEqualTo(75);
  }

  @Test
  void specialTokenStringsAreKeptWhole() {
    assertThat(tok.tokenize("<|startoftext|>a photo<|endoftext|>")).containsExactly(49406, 320, 1125, 49407);
    assertThat(tok.tokenize("<|EndOfText|>")).containsExactly(49407);
  }

  @Test
  void decodeSkipsSpecialsAndSpacesWords() {
    assertThat(tok.decode(tok.encode("A photo of a CAT, it's 2024!").ids()))
        .isEqualTo("a photo of a cat , it 's 2 0 2 4 !");
    assertThat(tok.decode(new int[0])).isEmpty();
  }

  @Test
  void nullTextAndUnknownIdsAreRejected() {
    assertThatThrownBy(() -> tok.tokenize(null)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("null");
    assertThatThrownBy(() -> tok.encode(null)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> tok.decode(new int[] {49408})).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("49408");
    assertThatThrownBy(() -> tok.decode(new int[] {-1})).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void cacheIsBounded() {
    ClipTokenizer small = new ClipTokenizer(ClipVocabulary.openAiClip(), 3);
    int[] expected = tok.tokenize("alpha beta gamma delta epsilon zeta");
    assertThat(small.tokenize("alpha beta gamma delta epsilon zeta")).isEqualTo(expected);
    assertThat(small.cachedPieces()).isEqualTo(3);
    assertThat(small.tokenize("alpha beta gamma delta epsilon zeta")).isEqualTo(expected);
    ClipTokenizer none = new ClipTokenizer(ClipVocabulary.openAiClip(), 0);
    assertThat(none.tokenize("alpha beta gamma delta epsilon zeta")).isEqualTo(expected);
    assertThat(none.cachedPieces()).isZero();
  }
}
