package io.github.ldm4j.conditioning.prompt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** The parser on generated text: only the documented errors, finite weights, never empty. */
class PromptParserPropertiesTest {

  @Provide
  Arbitrary<String> prompts() {
    Arbitrary<String> syntaxHeavy = Arbitraries.strings()
        .withChars("()[]\\:.-+0123456789 abBREAK\t,")
        .ofMaxLength(40);
    Arbitrary<String> words = Arbitraries.of("(", ")", "[", "]", "\\(", "\\", ":", ":1.5)", ":abc)", "BREAK", " BREAK ",
        "cat", " ", ":-1)", ":1.2.3)", "((", "))", ":", "x").list().ofMaxSize(12).map(l -> String.join("", l));
    return Arbitraries.oneOf(syntaxHeavy, words, Arbitraries.strings().all().ofMaxLength(40));
  }

  @Property(tries = 500)
  void onlyDocumentedErrors(@ForAll("prompts") String prompt) {
    for (PromptSyntax syntax : PromptSyntax.values()) {
      Throwable t = catchThrowable(() -> {
        var segments = PromptParser.parse(prompt, syntax);
        assertThat(segments).isNotEmpty();
        for (PromptSegment s : segments) {
          if (s instanceof PromptSegment.Text text) {
            assertThat(text.weight()).isFinite();
          }
        }
      });
      if (t != null) {
        assertThat(syntax).isNotEqualTo(PromptSyntax.PLAIN);
        assertThat(t).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("prompt weight");
      }
    }
  }
}
