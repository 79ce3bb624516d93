package io.github.ldm4j.conditioning.text;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.ldm4j.conditioning.clip.ClipTokenizer;
import io.github.ldm4j.conditioning.embedding.EmbeddingTable;
import io.github.ldm4j.conditioning.embedding.TextualInversion;
import io.github.ldm4j.conditioning.prompt.PromptParser;
import io.github.ldm4j.conditioning.prompt.PromptSyntax;
import io.github.ldm4j.conditioning.text.internal.ChunkedPrompt;
import io.github.ldm4j.conditioning.text.internal.EmbeddingMatcher;
import io.github.ldm4j.conditioning.text.internal.PromptChunker;
import io.github.ldm4j.tensor.Tensor;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Textual-inversion names in prompts: the chunker's rows (A1111 {@code tokenize_line} semantics:
 * an embedding takes k positions, is never split across chunks, carries its segment's weight) and
 * {@link ClipCondStage}'s use of them.
 */
class EmbeddingPromptTest {

  private static final ClipTokenizer TOK = ClipTokenizer.openAiClip();
  private static final int V = TOK.vocabularySize();
  private static final int D = 4;
  private static final int BOS = 49406;
  private static final int EOS = 49407;
  private static final int CAT = TOK.tokenize("cat")[0];
  private static final int DOG = TOK.tokenize("dog")[0];

  private static TextualInversion ti(String name, int k, int width) {
    float[] v = new float[k * width];
    for (int i = 0; i < v.length; i++) {
      v[i] = 0.01f * (i + 1);
    }
    return new TextualInversion(name, Tensor.of(v, k, width), name + ".pt");
  }

  private static final TextualInversion MYEMB = ti("myemb", 3, D);
  private static final TextualInversion BAD_HANDS = ti("bad-hands", 2, D);
  private static final TextualInversion BAD_HANDS_5 = ti("bad-hands-5", 1, D);
  private static final EmbeddingTable TABLE = EmbeddingTable.place(List.of(MYEMB, BAD_HANDS, BAD_HANDS_5), V, D);

  private static ChunkedPrompt chunk(String prompt, int commaBacktrack) {
    return new PromptChunker(TOK, commaBacktrack, EmbeddingMatcher.of(TOK, TABLE))
        .chunk(PromptParser.parse(prompt, PromptSyntax.A1111_STRICT));
  }

  private static int[] content(ChunkedPrompt p, int chunk) {
    var c = p.chunks().get(chunk);
    return Arrays.copyOfRange(c.ids(), 1, 1 + c.contentTokens());
  }

  @Test
  void placesEmbeddingsAfterTheVocabularyInOrder() {
    assertThat(TABLE.entries()).extracting(EmbeddingTable.Entry::firstId).containsExactly(V, V + 3, V + 5);
    assertThat(TABLE.extraRows()).isEqualTo(6);
    Tensor rows = TABLE.rows().orElseThrow();
    assertThat(rows.shape().toLongArray()).containsExactly(6, D);
    assertThat(rows.get(3 * D)).isEqualTo(BAD_HANDS.vectors().get(0));
  }

  @Test
  void aNameBecomesTheIdsOfItsVectors() {
    ChunkedPrompt p = chunk("a cat myemb dog", 0);
    int a = TOK.tokenize("a")[0];
    assertThat(content(p, 0)).containsExactly(a, CAT, V, V + 1, V + 2, DOG);
    assertThat(p.tokenCount()).isEqualTo(6);
    assertThat(p.embeddings()).extracting(e -> e.embedding().name()).containsExactly("myemb");
    assertThat(p.chunks().get(0).ids()[0]).isEqualTo(BOS);
    assertThat(p.chunks().get(0).ids()[7]).isEqualTo(EOS);
  }

  @Test
  void matchingIsOnTokensSoCaseAndPunctuationFollowTheTokenizer() {
    assertThat(content(chunk("MyEmb, dog", 0), 0)).startsWith(V, V + 1, V + 2);
    // not a whole word: "myembx" tokenizes differently, so it stays text
    assertThat(content(chunk("myembx", 0), 0)).containsExactly(TOK.tokenize("myembx"));
  }

  @Test
  void theLongestNameSharingTheFirstTokenWins() {
    assertThat(content(chunk("bad-hands-5", 0), 0)).containsExactly(V + 5);
    assertThat(content(chunk("bad-hands", 0), 0)).containsExactly(V + 3, V + 4);
    // A1111 matches a name as a token prefix: "bad-hands-6" is bad-hands followed by "-6"
    int[] rest = TOK.tokenize("-6");
    int[] expected = new int[2 + rest.length];
    expected[0] = V + 3;
    expected[1] = V + 4;
    System.arraycopy(rest, 0, expected, 2, rest.length);
    assertThat(content(chunk("bad-hands-6", 0), 0)).containsExactly(expected);
  }

  @Test
  void anEmbeddingIsNeverSplitAcrossChunks() {
    // 73 tokens, then 3 vectors: 76 > 75, so the chunk closes after the 73 and the vectors open the next
    ChunkedPrompt p = chunk("cat ".repeat(73) + "myemb", 0);
    assertThat(p.chunks()).hasSize(2);
    assertThat(p.chunks().get(0).contentTokens()).isEqualTo(73);
    assertThat(content(p, 1)).containsExactly(V, V + 1, V + 2);
    // 72 + 3 = 75 fits exactly
    assertThat(chunk("cat ".repeat(72) + "myemb", 0).chunks()).hasSize(1);
  }

  @Test
  void theVectorsCarryTheirSegmentsWeight() {
    ChunkedPrompt p = chunk("cat (myemb:1.5) dog", 0);
    double[] w = p.chunks().get(0).weights();
    assertThat(Arrays.copyOfRange(w, 1, 6)).containsExactly(1.0, 1.5, 1.5, 1.5, 1.0);
  }

  @Test
  void theCommaRuleMovesAnEmbeddingWithTheTokensAfterTheComma() {
    // 70 cats, a comma (71), then myemb (74), then dog: the chunk fills at 75 within 20 tokens of the comma
    ChunkedPrompt p = chunk("cat ".repeat(70) + ", myemb dog dog", 20);
    assertThat(p.chunks().get(0).contentTokens()).isEqualTo(71);
    assertThat(content(p, 1)).containsExactly(V, V + 1, V + 2, DOG, DOG);
  }

  @Test
  void anEmbeddingOfTheWrongWidthIsAnErrorNamingTheFileWhenUsed() {
    EmbeddingTable t = EmbeddingTable.place(List.of(ti("wide", 2, 1024)), V, 768);
    PromptChunker c = new PromptChunker(TOK, 0, EmbeddingMatcher.of(TOK, t));
    assertThat(t.extraRows()).isZero();
    assertThat(c.chunk(PromptParser.parse("a dog", PromptSyntax.A1111_STRICT)).chunks()).hasSize(1);
    assertThatThrownBy(() -> c.chunk(PromptParser.parse("a wide dog", PromptSyntax.A1111_STRICT)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("wide.pt").hasMessageContaining("1024").hasMessageContaining("768");
  }

  @Test
  void anEmbeddingLongerThanAChunkIsRefused() {
    EmbeddingTable t = EmbeddingTable.place(List.of(ti("huge", 76, D)), V, D);
    PromptChunker c = new PromptChunker(TOK, 0, EmbeddingMatcher.of(TOK, t));
    assertThatThrownBy(() -> c.chunk(PromptParser.parse("huge", PromptSyntax.A1111_STRICT)))
        .hasMessageContaining("76 vectors").hasMessageContaining("huge.pt");
  }

  @Test
  void duplicateNamesAreRefused() {
    assertThatThrownBy(() -> EmbeddingTable.place(List.of(ti("x", 1, D), ti("X", 1, D)), V, D))
        .hasMessageContaining("two embeddings are named");
  }

  @Test
  void theCondStageFeedsTheExtraIdsAndReportsWhichEmbeddingsAPromptUses() {
    FakeTextEncoder encoder = FakeTextEncoder.full(D);
    try (ClipCondStage stage = new ClipCondStage(TOK, encoder, TextConditioningOptions.defaults(), TABLE)) {
      stage.encodeWithNegative(List.of("a myemb"), "bad-hands");
      int[][] ids = encoder.calls.getLast();
      assertThat(Arrays.copyOfRange(ids[0], 2, 5)).containsExactly(V, V + 1, V + 2);
      assertThat(Arrays.copyOfRange(ids[1], 1, 3)).containsExactly(V + 3, V + 4);
      assertThat(stage.embeddingsIn(List.of("a myemb", "bad-hands, myemb", "dog"))).containsExactly(MYEMB, BAD_HANDS);
      assertThat(stage.withOptions(TextConditioningOptions.defaults().withClipSkip(2)).embeddings()).isSameAs(TABLE);
    }
  }

  @Test
  void withoutATableNamesArePlainText() {
    FakeTextEncoder encoder = FakeTextEncoder.full(D);
    try (ClipCondStage stage = new ClipCondStage(TOK, encoder, TextConditioningOptions.defaults())) {
      stage.encode(List.of("myemb"));
      int[] name = TOK.tokenize("myemb");
      assertThat(Arrays.copyOfRange(encoder.calls.getLast()[0], 1, 1 + name.length)).containsExactly(name);
      assertThat(stage.embeddingsIn(List.of("myemb"))).isEmpty();
    }
  }
}
