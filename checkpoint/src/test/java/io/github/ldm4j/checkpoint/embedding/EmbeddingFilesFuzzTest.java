package io.github.ldm4j.checkpoint.embedding;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.github.ldm4j.checkpoint.CheckpointFormatException;
import io.github.ldm4j.conditioning.embedding.TextualInversion;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * {@link EmbeddingFiles#read} on arbitrary bytes (safetensors or torch pickles, as the first bytes
 * say): the only allowed outcomes are an embedding of 1 … {@value EmbeddingFiles#MAX_VECTORS}
 * finite vectors, named by the file, or a {@link CheckpointFormatException} naming the file.
 *
 * <p>A plain {@code mvn verify} runs this in Jazzer's regression mode over the committed corpus
 * ({@code src/test/resources/.../EmbeddingFilesFuzzTestInputs/readArbitraryBytes/}: the fixture
 * embedding files and truncations of them). To fuzz:
 *
 * <pre>
 * JAZZER_FUZZ=1 ./mvnw -B -pl checkpoint -am test -Dtest=EmbeddingFilesFuzzTest -Dsurefire.failIfNoSpecifiedTests=false
 * </pre>
 */
class EmbeddingFilesFuzzTest {

  private static final Path DIR = tempDir();

  private static Path tempDir() {
    try {
      Path dir = Files.createTempDirectory("ldm4j-embedding-fuzz");
      dir.toFile().deleteOnExit();
      return dir;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @FuzzTest(maxDuration = "5m")
  @DictionaryEntries({
    "string_to_param", "string_to_token", "emb_params", "clip_l", "clip_g", "\"dtype\"", "\"shape\"",
    "\"data_offsets\"", "\"F32\"", "\"F16\"", "torch._utils", "_rebuild_tensor_v2", "FloatStorage"
  })
  void readArbitraryBytes(byte[] input) throws IOException {
    Path file = Files.write(DIR.resolve("fuzzed.pt"), input);
    TextualInversion ti;
    try {
      ti = EmbeddingFiles.read(file);
    } catch (CheckpointFormatException expected) {
      assertThat(expected).hasMessageStartingWith(file + ": ");
      return;
    }
    assertThat(ti.name()).isEqualTo("fuzzed");
    assertThat(ti.vectorCount()).isBetween(1, EmbeddingFiles.MAX_VECTORS);
    assertThat(ti.width()).isPositive();
    assertThat(ti.vectors().allFinite()).isTrue();
  }
}
