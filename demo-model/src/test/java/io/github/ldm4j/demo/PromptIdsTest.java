package io.github.ldm4j.demo;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.ldm4j.conditioning.clip.ClipTokenizer;
import io.github.ldm4j.demo.testsupport.PromptIds;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** The tests' id lookup agrees with ldm4j-conditioning's CLIP tokenizer on every prompt they use. */
class PromptIdsTest {

  @Test
  void matchesTheClipTokenizer() {
    ClipTokenizer tok = ClipTokenizer.openAiClip();
    for (ShapeColour c : ShapeColour.values()) {
      for (ShapeKind s : ShapeKind.values()) {
        for (String prompt : new String[] {"a " + c.word() + " " + s.word(), c.word(), s.word()}) {
          int[] words = tok.tokenize(prompt);
          long[] ids = PromptIds.of(prompt);
          assertThat(ids[0]).isEqualTo(PromptIds.BOS);
          assertThat(Arrays.stream(ids, 1, 1 + words.length).mapToInt(Math::toIntExact).toArray()).isEqualTo(words);
          assertThat(Arrays.stream(ids, 1 + words.length, PromptIds.LENGTH)).containsOnly((long) PromptIds.EOS);
        }
        assertThat(tok.tokenize(c.word())).containsExactly(c.tokenId());
        assertThat(tok.tokenize(s.word())).containsExactly(s.tokenId());
      }
    }
    assertThat(tok.tokenize("")).isEmpty();
  }
}
