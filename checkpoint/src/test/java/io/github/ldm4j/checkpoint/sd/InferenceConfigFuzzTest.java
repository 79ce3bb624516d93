package io.github.ldm4j.checkpoint.sd;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.github.ldm4j.checkpoint.CheckpointFormatException;
import io.github.ldm4j.model.ConditioningKey;
import java.nio.file.Path;

/**
 * {@link InferenceConfig#parse} on arbitrary bytes: the only allowed outcomes are a config whose
 * values are in range or a {@link CheckpointFormatException} naming the file; any other exception,
 * a hang or a stack overflow is a finding.
 *
 * <p>A plain {@code mvn verify} runs the committed corpus ({@code
 * src/test/resources/.../InferenceConfigFuzzTestInputs/parseArbitraryBytes/}); to fuzz:
 *
 * <pre>
 * JAZZER_FUZZ=1 ./mvnw -B -pl checkpoint -am test -Dtest=InferenceConfigFuzzTest -Dsurefire.failIfNoSpecifiedTests=false
 * </pre>
 */
class InferenceConfigFuzzTest {

  private static final Path FILE = Path.of("fuzz.yaml");

  @FuzzTest(maxDuration = "5m")
  @DictionaryEntries({
    "model:", "params:", "unet_config:", "num_heads:", "num_head_channels:", "parameterization:", "scale_factor:",
    "conditioning_key:", "crossattn", "hybrid", "concat", "adm", "~",
    "{", "}", "[", "]", "&a", "*a", "!!", ".nan", ".inf", "-1", "\"v\"", "\\x0a  "
  })
  void parseArbitraryBytes(byte[] input) {
    InferenceConfig c;
    try {
      c = InferenceConfig.parse(FILE, input);
    } catch (CheckpointFormatException expected) {
      assertThat(expected).hasMessageStartingWith(FILE + ": ");
      return;
    }
    c.numHeads().ifPresent(v -> assertThat(v).isPositive());
    c.numHeadChannels().ifPresent(v -> assertThat(v).isPositive());
    c.scaleFactor().ifPresent(v -> assertThat(v).isPositive().isFinite());
    c.conditioningKey().ifPresent(k -> assertThat(k).isNotEqualTo(ConditioningKey.NONE));
  }
}
