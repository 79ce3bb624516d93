package io.github.ldm4j.conditioning.prompt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.ldm4j.conditioning.prompt.PromptSegment.Break;
import io.github.ldm4j.conditioning.prompt.PromptSegment.Text;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The prompt parser against a table of 70 cases ({@code prompt-a1111-golden.jsonl}). The expected
 * [text, weight] lists are A1111's own: its {@code parse_prompt_attention} (modules/prompt_parser.py,
 * the docstring examples are the first six rows) run once on CPython 3.11.7 outside this
 * repository; weights are Python {@code repr}s, so they compare bit for bit. A1111 marks BREAK as
 * ["BREAK", -1]; {@code tokenize_line} treats exactly that pair as a chunk break, anything else as
 * text, and so does {@link PromptSyntax#A1111}.
 */
class PromptParserTest {

  record Case(String prompt, List<PromptSegment> expected, String error) {
    @Override
    public String toString() {
      return prompt.isEmpty() ? "<empty>" : prompt;
    }
  }

  static Stream<Case> table() throws IOException {
    ObjectMapper json = new ObjectMapper();
    List<Case> out = new ArrayList<>();
    try (BufferedReader r = new BufferedReader(new InputStreamReader(
        PromptParserTest.class.getResourceAsStream("../prompt-a1111-golden.jsonl"), StandardCharsets.UTF_8))) {
      for (String line; (line = r.readLine()) != null; ) {
        JsonNode n = json.readTree(line);
        if (n.has("error")) {
          out.add(new Case(n.get("in").textValue(), null, n.get("error").textValue()));
          continue;
        }
        List<PromptSegment> segs = new ArrayList<>();
        for (JsonNode pair : n.get("out")) {
          String text = pair.get(0).textValue();
          double w = Double.parseDouble(pair.get(1).textValue());
          segs.add(text.equals("BREAK") && w == -1.0 ? Break.INSTANCE : new Text(text, w));
        }
        out.add(new Case(n.get("in").textValue(), segs, null));
      }
    }
    return out.stream();
  }

  @ParameterizedTest
  @MethodSource("table")
  void a1111MatchesReference(Case c) {
    if (c.error() != null) {
      assertThatThrownBy(() -> PromptParser.parse(c.prompt(), PromptSyntax.A1111))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("invalid prompt weight");
    } else {
      assertThat(PromptParser.parse(c.prompt(), PromptSyntax.A1111)).containsExactlyElementsOf(c.expected());
    }
  }

  @Test
  void tableSize() throws IOException {
    assertThat(table().count()).isEqualTo(70);
  }

  @Test
  void docstringExample() {
    assertThat(PromptParser.parse("a (((house:1.3)) [on] a (hill:0.5), sun, (((sky))).", PromptSyntax.A1111_STRICT))
        .containsExactly(
            new Text("a ", 1.0), new Text("house", 1.5730000000000004), new Text(" ", 1.1), new Text("on", 1.0),
            new Text(" a ", 1.1), new Text("hill", 0.55), new Text(", sun, ", 1.1),
            new Text("sky", 1.4641000000000006), new Text(".", 1.1));
  }

  /** Strict parsing equals A1111 wherever A1111's result has no BREAK-in-brackets or negative weight. */
  @ParameterizedTest
  @MethodSource("table")
  void strictAgreesWhereValid(Case c) {
    boolean strictRejects = c.error() != null || c.prompt().matches(".*\\(.*:\\s*-.*") || c.prompt().matches(
        ".*\\((x|a):(abc|nan|inf|1e3|)\\).*");
    boolean weightedBreak = c.expected() != null && c.expected().stream()
        .anyMatch(s -> s instanceof Text t && t.text().equals("BREAK"));
    if (strictRejects) {
      assertThatThrownBy(() -> PromptParser.parse(c.prompt(), PromptSyntax.A1111_STRICT))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("prompt weight");
    } else if (!weightedBreak) {
      assertThat(PromptParser.parse(c.prompt(), PromptSyntax.A1111_STRICT)).containsExactlyElementsOf(c.expected());
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"(x:abc)", "(x:nan)", "(x:NaN)", "(x:inf)", "(x:1e3)", "(x:)", "(x: )", "(a (x:abc))"})
  void strictRejectsNonNumericWeights(String prompt) {
    assertThatThrownBy(() -> PromptParser.parse(prompt, PromptSyntax.A1111_STRICT))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("prompt weight")
        .hasMessageContaining(prompt);
  }

  @ParameterizedTest
  @ValueSource(strings = {"(x:-1)", "(x:-0.5)", "((x:-2))"})
  void strictRejectsNegativeWeights(String prompt) {
    assertThatThrownBy(() -> PromptParser.parse(prompt, PromptSyntax.A1111_STRICT))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("negative");
  }

  @Test
  void strictBreakAlwaysBreaks() {
    assertThat(PromptParser.parse("(a BREAK b)", PromptSyntax.A1111_STRICT))
        .containsExactly(new Text("a", 1.1), Break.INSTANCE, new Text("b", 1.1));
    assertThat(PromptParser.parse("(a BREAK b)", PromptSyntax.A1111))
        .containsExactly(new Text("a", 1.1), new Text("BREAK", -1.1), new Text("b", 1.1));
  }

  @Test
  void strictAcceptsColonsThatAreNotWeights() {
    assertThat(PromptParser.parse("[x:abc] a:b (a: (b))", PromptSyntax.A1111_STRICT))
        .isEqualTo(PromptParser.parse("[x:abc] a:b (a: (b))", PromptSyntax.A1111));
  }

  @Test
  void plainIsVerbatim() {
    assertThat(PromptParser.parse("(a:1.5) BREAK [b] \\(", PromptSyntax.PLAIN))
        .containsExactly(new Text("(a:1.5) BREAK [b] \\(", 1.0));
  }

  @Test
  void nullPromptIsRejected() {
    for (PromptSyntax s : PromptSyntax.values()) {
      assertThatThrownBy(() -> PromptParser.parse(null, s))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("null");
    }
  }
}
