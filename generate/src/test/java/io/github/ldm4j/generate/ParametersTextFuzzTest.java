package io.github.ldm4j.generate;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * {@link ParametersText#parse} of arbitrary text, as a PNG's {@code parameters} chunk brings it from
 * outside ({@code POST /sdapi/v1/png-info}): the only allowed outcome is a map that starts with {@code
 * Prompt} and {@code Negative prompt} and holds no null key or value (the text is within {@link
 * ParametersText#MAX_PARSE_LENGTH}, so no exception is allowed). Any exception, or a hang (the scan
 * must stay linear where a backtracking regular expression would not), is a finding.
 *
 * <p>A plain {@code mvn verify} runs this in regression mode over the committed corpus ({@code
 * src/test/resources/io/github/ldm4j/generate/ParametersTextFuzzTestInputs/parseArbitraryText/}: A1111
 * and ldm4j parameters, quoted values, a multi-line negative prompt, an unterminated quote, a long run
 * without a colon). To fuzz: {@code JAZZER_FUZZ=1 ./mvnw -o test -pl generate -Dtest=ParametersTextFuzzTest}.
 */
class ParametersTextFuzzTest {

  @FuzzTest(maxDuration = "5m")
  void parseArbitraryText(byte[] input) {
    String text = new String(input, StandardCharsets.UTF_8);
    Map<String, String> p = ParametersText.parse(text);
    assertThat(p.keySet()).startsWith("Prompt", "Negative prompt");
    p.forEach((k, v) -> {
      assertThat(k).isNotNull();
      assertThat(v).isNotNull();
    });
  }
}
