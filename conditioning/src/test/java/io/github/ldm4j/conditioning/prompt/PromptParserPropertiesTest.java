package io.github.ldm4j.conditioning.prompt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.github.ldm4j.conditioning.testsupport.RandomText;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The parser on seeded random text: only the documented errors, finite weights, never empty. */
class PromptParserPropertiesTest {

  private static final String[] PIECES = {"(", ")", "[", "]", "\\(", "\\", ":", ":1.5)", ":abc)", "BREAK",
      " BREAK ", "cat", " ", ":-1)", ":1.2.3)", "((", "))", ":", "x", ": 2 )", ":.)"};

  static Stream<Arguments> prompts() {
    SplittableRandom r = RandomText.random("prompts");
    return IntStream.range(0, 600).mapToObj(i -> {
      String s = switch (i % 3) {
        case 0 -> RandomText.from(r, "()[]\\:.-+0123456789 abBREAK\t,", 40);
        case 1 -> RandomText.join(r, PIECES, 12);
        default -> RandomText.anyChars(r, 40);
      };
      return Arguments.of(RandomText.show(s), s);
    });
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @MethodSource("prompts")
  void onlyDocumentedErrors(String shown, String prompt) {
    for (PromptSyntax syntax : PromptSyntax.values()) {
      Throwable t = catchThrowable(() -> {
        List<PromptSegment> segments = PromptParser.parse(prompt, syntax);
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
