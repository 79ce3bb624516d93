package io.github.ldm4j.conditioning.prompt;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;

/**
 * {@link ExtraNetworks#parse} on arbitrary text: the only allowed outcomes are a cleaned prompt
 * that is shorter than the input by at least the tags' names, with finite multipliers (one pass,
 * as A1111's {@code re.sub}: removing a tag may join a new one, which stays), or an {@link
 * IllegalArgumentException} naming a tag; any other exception, a hang or a stack overflow is a
 * finding.
 *
 * <p>A plain {@code mvn verify} runs the committed corpus ({@code
 * src/test/resources/.../ExtraNetworksFuzzTestInputs/parseArbitraryText/}); to fuzz:
 *
 * <pre>
 * JAZZER_FUZZ=1 ./mvnw -B -pl conditioning -am test -Dtest=ExtraNetworksFuzzTest -Dsurefire.failIfNoSpecifiedTests=false
 * </pre>
 */
class ExtraNetworksFuzzTest {

  @FuzzTest(maxDuration = "5m")
  @DictionaryEntries({"<lora:", "<lyco:", "<hypernet:", ">", ":", "te=", "unet=", "dyn=", "=", "-", ".", "e+", "1"})
  void parseArbitraryText(byte[] input) {
    String prompt = new String(input, StandardCharsets.UTF_8);
    ExtraNetworkPrompt p;
    try {
      p = ExtraNetworks.parse(prompt);
    } catch (IllegalArgumentException expected) {
      assertThat(expected.getMessage()).contains("<");
      return;
    }
    int names = p.loras().stream().mapToInt(l -> l.name().length() + "<lora:>".length()).sum();
    assertThat(p.prompt().length()).isLessThanOrEqualTo(prompt.length() - names);
    p.loras().forEach(l -> assertThat(l.teMultiplier()).isFinite());
    p.loras().forEach(l -> assertThat(l.unetMultiplier()).isFinite());
  }
}
