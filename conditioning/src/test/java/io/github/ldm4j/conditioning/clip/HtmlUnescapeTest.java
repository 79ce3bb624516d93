package io.github.ldm4j.conditioning.clip;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.ldm4j.conditioning.clip.internal.HtmlUnescape;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@link HtmlUnescape} against CPython 3.11.7's {@code html.unescape} on 3256 inputs ({@code
 * html-golden.jsonl}, made by {@code src/test/oracle/make_html_golden.py}): every HTML5 name with
 * and without its semicolon, numeric references over the special ranges, malformed references and
 * seeded random strings of entity characters.
 */
class HtmlUnescapeTest {

  @Test
  void matchesCPythonHtmlUnescape() throws IOException {
    ObjectMapper json = new ObjectMapper();
    List<String> failures = new ArrayList<>();
    int n = 0;
    try (BufferedReader r = new BufferedReader(new InputStreamReader(
        HtmlUnescapeTest.class.getResourceAsStream("html-golden.jsonl"), StandardCharsets.UTF_8))) {
      for (String line; (line = r.readLine()) != null; ) {
        JsonNode node = json.readTree(line);
        String in = node.get("in").textValue();
        String expected = node.get("out").textValue();
        String got = HtmlUnescape.unescape(in);
        if (!got.equals(expected)) {
          failures.add(in + " -> " + got + " (expected " + expected + ")");
        }
        n++;
      }
    }
    assertThat(n).isEqualTo(3256);
    assertThat(failures).isEmpty();
  }

  @Test
  void commonEntities() {
    assertThat(HtmlUnescape.unescape("&amp; &lt; &gt; &quot; &#39; &#x27; &nbsp; &eacute; &hellip;"))
        .isEqualTo("& < > \" ' ' \u00a0 \u00e9 \u2026");
    assertThat(HtmlUnescape.unescape("no entities")).isEqualTo("no entities");
  }
}
