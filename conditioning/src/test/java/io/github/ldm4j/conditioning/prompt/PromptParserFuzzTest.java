package io.github.ldm4j.conditioning.prompt;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.github.ldm4j.conditioning.clip.ClipTokenizer;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * {@link PromptParser#parse} of arbitrary prompts (as requests send them) under every {@link
 * PromptSyntax}, each text segment then tokenized by {@link ClipTokenizer#openAiClip()}: the only
 * allowed outcomes are an {@link IllegalArgumentException} or a non-empty list of segments with finite
 * weights (non-negative under {@link PromptSyntax#A1111_STRICT}) whose tokens are vocabulary ids that
 * decode again. Any other exception or a hang is a finding.
 *
 * <p>The input's first byte chooses the syntax (mod 3); the rest is the prompt in UTF-8. A plain
 * {@code mvn verify} runs this in regression mode over the committed corpus ({@code
 * src/test/resources/io/github/ldm4j/conditioning/prompt/PromptParserFuzzTestInputs/parseArbitraryPrompts/}).
 * To fuzz, see conditioning/README.md.
 */
class PromptParserFuzzTest {

  @FuzzTest(maxDuration = "5m")
  void parseArbitraryPrompts(byte[] input) {
    if (input.length == 0) {
      return;
    }
    PromptSyntax syntax = PromptSyntax.values()[(input[0] & 0xff) % PromptSyntax.values().length];
    String prompt = new String(input, 1, input.length - 1, StandardCharsets.UTF_8);
    List<PromptSegment> segments;
    try {
      segments = PromptParser.parse(prompt, syntax);
    } catch (IllegalArgumentException expected) {
      assertThat(syntax).isNotEqualTo(PromptSyntax.PLAIN);
      return;
    }
    assertThat(segments).isNotEmpty();
    ClipTokenizer tokenizer = ClipTokenizer.openAiClip();
    for (PromptSegment s : segments) {
      if (s instanceof PromptSegment.Text t) {
        assertThat(t.weight()).isFinite();
        if (syntax == PromptSyntax.A1111_STRICT) {
          // -0.0 (from "(x:-0)") counts as zero, as it scales the same
          assertThat(t.weight() >= 0).as("weight %s of '%s'", t.weight(), t.text()).isTrue();
        }
        int[] ids = tokenizer.tokenize(t.text());
        for (int id : ids) {
          assertThat(id).isBetween(0, tokenizer.vocabularySize() - 1);
        }
        assertThat(tokenizer.decode(ids)).isNotNull();
      }
    }
  }
}
