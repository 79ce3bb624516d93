package io.github.ldm4j.conditioning.text;

import io.github.ldm4j.model.GuidancePair;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.ldm4j.conditioning.clip.ClipTokenizer;
import io.github.ldm4j.conditioning.clip.ClipVocabulary;
import io.github.ldm4j.conditioning.prompt.PromptSyntax;
import io.github.ldm4j.tensor.Shape;
import io.github.ldm4j.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link ClipCondStage} with the real CLIP tokenizer and a small deterministic text encoder. */
class ClipCondStageTest {

  private static final int D = 4;
  private static final ClipTokenizer TOK = ClipTokenizer.openAiClip();
  private static final int CAT = 2368;
  private static final int COMMA = TOK.tokenId(",</w>").orElseThrow();
  private static final int DOG = TOK.tokenize("dog")[0];
  private static final int BOS = 49406;
  private static final int EOS = 49407;

  private final FakeTextEncoder encoder = FakeTextEncoder.full(D);
  private final ClipCondStage stage = new ClipCondStage(TOK, encoder, TextConditioningOptions.defaults());

  private static int[] row(int... content) {
    int[] r = new int[77];
    Arrays.fill(r, EOS);
    r[0] = BOS;
    System.arraycopy(content, 0, r, 1, content.length);
    r[content.length + 1] = EOS;
    return r;
  }

  private static int[] repeat(int id, int n) {
    int[] a = new int[n];
    Arrays.fill(a, id);
    return a;
  }

  private static int[] concat(int[]... parts) {
    return Arrays.stream(parts).flatMapToInt(Arrays::stream).toArray();
  }

  private Tensor plain(int[]... rows) {
    return encoder.encode(rows).lastHiddenState();
  }

  private static Tensor tokens(Tensor context, int from, int to) {
    int b = context.dim(0);
    int d = context.dim(2);
    Tensor out = Tensor.zeros(b, to - from, d);
    for (int n = 0; n < b; n++) {
      for (int t = from; t < to; t++) {
        for (int j = 0; j < d; j++) {
          out.set((n * (to - from) + t - from) * d + j, context.at(n, t, j));
        }
      }
    }
    return out;
  }

  @Test
  void plainPromptIsExactlyThePlain77TokenEncode() {
    String prompt = "a photograph of an astronaut riding a horse, highly detailed";
    Tensor expected = plain(TOK.encode(prompt).ids());
    Tensor got = stage.getLearnedConditioning(List.of(prompt));
    assertThat(got.shape()).isEqualTo(Shape.of(1, 77, D));
    assertThat(got.toArray()).isEqualTo(expected.toArray());
    Tensor compVis = stage.withOptions(TextConditioningOptions.compVis()).getLearnedConditioning(List.of(prompt));
    assertThat(compVis.toArray()).isEqualTo(expected.toArray());
  }

  @Test
  void exactly75TokensIsOneChunk() {
    PromptEncoding e = stage.encode(List.of("cat ".repeat(75)));
    assertThat(e.context().shape()).isEqualTo(Shape.of(1, 77, D));
    assertThat(e.usage()).containsExactly(new PromptUsage(75, 1, 0));
  }

  @Test
  void longPromptIsChunkedAndConcatenated() {
    PromptEncoding e = stage.encode(List.of("cat ".repeat(100)));
    assertThat(e.context().shape()).isEqualTo(Shape.of(1, 154, D));
    assertThat(e.usage()).containsExactly(new PromptUsage(100, 2, 0));
    assertThat(tokens(e.context(), 0, 77).toArray()).isEqualTo(plain(row(repeat(CAT, 75))).toArray());
    assertThat(tokens(e.context(), 77, 154).toArray()).isEqualTo(plain(row(repeat(CAT, 25))).toArray());
    assertThat(stage.encode(List.of("cat ".repeat(226))).context().shape()).isEqualTo(Shape.of(1, 77 * 4, D));
  }

  @Test
  void truncationDropsAndReports() {
    ClipCondStage compVis = stage.withOptions(TextConditioningOptions.compVis());
    PromptEncoding e = compVis.encode(List.of("cat ".repeat(100)));
    assertThat(e.context().shape()).isEqualTo(Shape.of(1, 77, D));
    assertThat(e.usage().getFirst().droppedTokens()).isEqualTo(25);
    assertThat(e.usage().getFirst().truncated()).isTrue();
    assertThat(e.context().toArray()).isEqualTo(plain(row(repeat(CAT, 75))).toArray());
  }

  @Test
  void commaBacktrackMovesTheTailToTheNextChunk() {
    String prompt = "cat ".repeat(70) + ", " + "dog ".repeat(10);
    encoder.calls.clear();
    stage.encode(List.of(prompt));
    assertThat(encoder.calls).hasSize(2);
    assertThat(encoder.calls.get(0)[0]).isEqualTo(row(concat(repeat(CAT, 70), new int[] {COMMA})));
    assertThat(encoder.calls.get(1)[0]).isEqualTo(row(repeat(DOG, 10)));

    encoder.calls.clear();
    stage.withOptions(TextConditioningOptions.defaults().withCommaBacktrack(0)).encode(List.of(prompt));
    assertThat(encoder.calls.get(0)[0]).isEqualTo(row(concat(repeat(CAT, 70), new int[] {COMMA}, repeat(DOG, 4))));
    assertThat(encoder.calls.get(1)[0]).isEqualTo(row(repeat(DOG, 6)));

    // a comma further back than the limit does not move anything
    encoder.calls.clear();
    stage.encode(List.of("cat ".repeat(50) + ", " + "dog ".repeat(30)));
    assertThat(encoder.calls.get(0)[0]).isEqualTo(row(concat(repeat(CAT, 50), new int[] {COMMA}, repeat(DOG, 24))));
  }

  @Test
  void breakStartsANewChunk() {
    encoder.calls.clear();
    PromptEncoding e = stage.encode(List.of("a cat BREAK a dog"));
    assertThat(e.context().shape()).isEqualTo(Shape.of(1, 154, D));
    assertThat(encoder.calls.get(0)[0]).isEqualTo(row(320, CAT));
    assertThat(encoder.calls.get(1)[0]).isEqualTo(row(320, DOG));
    assertThat(stage.encode(List.of("a cat BREAK")).context().dim(1)).isEqualTo(77);
  }

  @Test
  void negativePromptIsPaddedToTheSameChunkCount() {
    GuidancePair p = stage.encodePairs(List.of(new PromptPair("cat ".repeat(100), "blurry")));
    assertThat(ctx(p.cond()).shape()).isEqualTo(Shape.of(1, 154, D));
    assertThat(ctx(p.uncond()).shape()).isEqualTo(Shape.of(1, 154, D));
    assertThat(tokens(ctx(p.uncond()), 0, 77).toArray()).isEqualTo(plain(TOK.encode("blurry").ids()).toArray());
    assertThat(tokens(ctx(p.uncond()), 77, 154).toArray()).isEqualTo(plain(TOK.encode("").ids()).toArray());
    assertThat(p.warnings()).as("nothing truncated").isEmpty();
    // and the other way round: a long negative prompt pads the prompt
    GuidancePair q = stage.encodePairs(List.of(new PromptPair("cat", "dog ".repeat(80))));
    assertThat(ctx(q.cond()).shape()).isEqualTo(Shape.of(1, 154, D));
    assertThat(tokens(ctx(q.cond()), 77, 154).toArray()).isEqualTo(plain(TOK.encode("").ids()).toArray());
  }

  @Test
  void batchOfPairsEachWithItsOwnNegative() {
    GuidancePair p = stage.encodePairs(List.of(
        new PromptPair("a cat", "dog"), new PromptPair("cat ".repeat(80), ""), new PromptPair("a dog", "cat")));
    assertThat(ctx(p.cond()).shape()).isEqualTo(Shape.of(3, 154, D));
    assertThat(tokens(ctx(p.cond()).batch(0), 0, 77).toArray()).isEqualTo(plain(TOK.encode("a cat").ids()).toArray());
    assertThat(tokens(ctx(p.cond()).batch(0), 77, 154).toArray()).isEqualTo(plain(TOK.encode("").ids()).toArray());
    assertThat(tokens(ctx(p.uncond()).batch(2), 0, 77).toArray()).isEqualTo(plain(TOK.encode("cat").ids()).toArray());
    assertThat(tokens(ctx(p.uncond()).batch(0), 0, 77).toArray()).isEqualTo(plain(TOK.encode("dog").ids()).toArray());
    GuidancePair shared = stage.encodeWithNegative(List.of("a cat", "a dog"), "dog");
    assertThat(ctx(shared.uncond()).batch(1).toArray()).isEqualTo(ctx(shared.uncond()).batch(0).toArray());
  }

  private static Tensor ctx(io.github.ldm4j.model.Conditioning c) {
    return ((io.github.ldm4j.model.Conditioning.CrossAttn) c).context();
  }

  /** z·w rescaled to the original mean, computed by hand here. */
  private static float[] emphasised(Tensor z, double[][] w, int from, int to) {
    float[] out = z.toArray();
    int rowSize = 77 * D;
    double orig = 0;
    double weighted = 0;
    for (int r = from; r < to; r++) {
      for (int t = 0; t < 77; t++) {
        for (int j = 0; j < D; j++) {
          double v = z.get(r * rowSize + t * D + j);
          orig += v;
          weighted += v * w[r][t];
        }
      }
    }
    for (int r = from; r < to; r++) {
      for (int t = 0; t < 77; t++) {
        for (int j = 0; j < D; j++) {
          int i = r * rowSize + t * D + j;
          out[i] = (float) (z.get(i) * w[r][t] * (orig / weighted));
        }
      }
    }
    return out;
  }

  private static double[] weights(double... content) {
    double[] w = new double[77];
    Arrays.fill(w, 1.0);
    System.arraycopy(content, 0, w, 1, content.length);
    return w;
  }

  @Test
  void weightsScaleHiddenStatesAndRestoreTheMean() {
    Tensor z = plain(row(320, CAT, DOG));
    double[][] w = {weights(1.0, 1.5, 1 / 1.1)};
    Tensor got = stage.getLearnedConditioning(List.of("a (cat:1.5) [dog]"));
    float[] expected = emphasised(z, w, 0, 1);
    assertThat(got.toArray()).containsExactly(expected, org.assertj.core.data.Offset.offset(1e-6f));
    assertThat(got.mean()).isCloseTo(z.mean(), org.assertj.core.data.Offset.offset(1e-6));
    // the weighted token moved, the others only by the common factor
    assertThat(got.at(0, 2, 1) / z.at(0, 2, 1)).isCloseTo((float) (1.5 * got.at(0, 1, 1) / z.at(0, 1, 1)),
        org.assertj.core.data.Offset.offset(1e-5f));

    Tensor noNorm = stage.withOptions(TextConditioningOptions.defaults().withEmphasis(EmphasisNormalization.NONE))
        .getLearnedConditioning(List.of("a (cat:1.5) [dog]"));
    assertThat(noNorm.at(0, 2, 3)).isCloseTo((float) (z.at(0, 2, 3) * 1.5), org.assertj.core.data.Offset.offset(1e-6f));
    assertThat(noNorm.at(0, 1, 3)).isEqualTo(z.at(0, 1, 3));
  }

  @Test
  void perPromptAndPerBatchRenormalisation() {
    Tensor z = plain(row(320, CAT), row(DOG));
    double[][] w = {weights(1.0, 1.21), weights(1.0)};
    Tensor perPrompt = stage.getLearnedConditioning(List.of("a ((cat))", "dog"));
    float[] expectedPerPrompt = emphasised(z, w, 0, 1);
    assertThat(perPrompt.toArray()).containsExactly(expectedPerPrompt, org.assertj.core.data.Offset.offset(1e-6f));
    // the unweighted prompt is untouched, bit for bit
    assertThat(perPrompt.batch(1).toArray()).isEqualTo(z.batch(1).toArray());

    Tensor perBatch = stage.withOptions(TextConditioningOptions.defaults().withEmphasis(EmphasisNormalization.MEAN_PER_BATCH))
        .getLearnedConditioning(List.of("a ((cat))", "dog"));
    assertThat(perBatch.toArray()).containsExactly(emphasised(z, w, 0, 2), org.assertj.core.data.Offset.offset(1e-6f));
  }

  @Test
  void clipSkipUsesTheEarlierLayerThroughTheFinalLayerNorm() {
    ClipCondStage skip2 = stage.withOptions(TextConditioningOptions.defaults().withClipSkip(2));
    int[] ids = TOK.encode("a cat").ids();
    Tensor expected = encoder.layerNorm().apply(encoder.layer(new int[][] {ids}, FakeTextEncoder.LAYERS - 1));
    assertThat(skip2.getLearnedConditioning(List.of("a cat")).toArray()).isEqualTo(expected.toArray());
    Tensor skip1 = stage.getLearnedConditioning(List.of("a cat"));
    assertThat(skip1.toArray()).isEqualTo(plain(ids).toArray());
    assertThat(skip1.toArray()).isNotEqualTo(expected.toArray());
  }

  @Test
  void clipSkipErrorsNameTheMissingOutput() {
    ClipCondStage noHidden = new ClipCondStage(TOK, new FakeTextEncoder(D, false, true),
        TextConditioningOptions.defaults().withClipSkip(2));
    assertThatThrownBy(() -> noHidden.getLearnedConditioning(List.of("a cat")))
        .isInstanceOf(UnsupportedOperationException.class).hasMessageContaining("hidden_states");
    ClipCondStage noNorm = new ClipCondStage(TOK, new FakeTextEncoder(D, true, false),
        TextConditioningOptions.defaults().withClipSkip(2));
    assertThatThrownBy(() -> noNorm.getLearnedConditioning(List.of("a cat")))
        .isInstanceOf(UnsupportedOperationException.class).hasMessageContaining("final_layer_norm");
    ClipCondStage tooDeep = stage.withOptions(TextConditioningOptions.defaults().withClipSkip(FakeTextEncoder.LAYERS + 1));
    assertThatThrownBy(() -> tooDeep.getLearnedConditioning(List.of("a cat")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("exceeds");
    assertThatThrownBy(() -> TextConditioningOptions.defaults().withClipSkip(0))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("clipSkip");
  }

  @Test
  void badInput() {
    assertThatThrownBy(() -> stage.getLearnedConditioning(List.of())).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> stage.getLearnedConditioning(Collections.singletonList(null)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("prompt 0 is null");
    assertThatThrownBy(() -> stage.getLearnedConditioning(List.of("(cat:abc)")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("prompt weight");
    assertThatThrownBy(() -> stage.getLearnedConditioning(List.of("(cat:-1)")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("negative");
    assertThatThrownBy(() -> new PromptPair("a", null)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new ClipCondStage(new ClipTokenizer(ClipVocabulary.openAiClip().withContextLength(10)),
        encoder, TextConditioningOptions.defaults()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("77");
    assertThat(stage.withOptions(TextConditioningOptions.defaults().withSyntax(PromptSyntax.A1111))
        .getLearnedConditioning(List.of("(cat:abc)")).shape()).isEqualTo(Shape.of(1, 77, D));
  }

  @Test
  void closeClosesTheOwnedEncoderOnce() {
    ClipCondStage view = stage.withOptions(TextConditioningOptions.compVis());
    view.close();
    assertThat(encoder.closeCount).isZero();
    stage.close();
    stage.close();
    assertThat(encoder.closeCount).isEqualTo(1);
    assertThatThrownBy(() -> stage.getLearnedConditioning(List.of("a"))).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void manyPromptsOneEncoderCallPerChunk() {
    List<String> prompts = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      prompts.add("cat ".repeat(20 * i));
    }
    encoder.calls.clear();
    PromptEncoding e = stage.encode(prompts);
    assertThat(e.context().shape()).isEqualTo(Shape.of(5, 154, D));
    assertThat(encoder.calls).hasSize(2);
    assertThat(encoder.calls.get(0)).hasNumberOfRows(5);
  }

  @Test
  void guidanceContextsAreThePairEncodingWithTheRequestedClipSkipAndReportTruncation() {
    List<String> prompts = List.of("a red circle", "dog");
    List<String> negatives = List.of("", "blurry");
    GuidancePair g = stage.encodeForGuidance(prompts, negatives, 1);
    GuidancePair pairs = stage.encodePairs(List.of(new PromptPair("a red circle", ""), new PromptPair("dog", "blurry")));
    assertThat(ctx(g.cond()).toArray()).isEqualTo(ctx(pairs.cond()).toArray());
    assertThat(ctx(g.uncond()).toArray()).isEqualTo(ctx(pairs.uncond()).toArray());
    assertThat(g.warnings()).isEmpty();
    GuidancePair skip2 = stage.encodeForGuidance(prompts, negatives, 2);
    GuidancePair pairs2 = stage.withOptions(TextConditioningOptions.defaults().withClipSkip(2))
        .encodePairs(List.of(new PromptPair("a red circle", ""), new PromptPair("dog", "blurry")));
    assertThat(ctx(skip2.cond()).toArray()).isEqualTo(ctx(pairs2.cond()).toArray());
    assertThat(ctx(skip2.cond()).toArray()).isNotEqualTo(ctx(g.cond()).toArray());
    String longPrompt = "dog ".repeat(100);
    GuidancePair truncated = stage.withOptions(TextConditioningOptions.compVis())
        .encodeForGuidance(List.of(longPrompt), List.of(""), 1);
    assertThat(truncated.warnings()).singleElement().asString()
        .contains("prompt 0 was truncated").contains("25 token(s)");
    assertThatThrownBy(() -> stage.encodeForGuidance(prompts, List.of(""), 1))
        .hasMessageContaining("2 prompts but 1 negative prompts");
  }
}
