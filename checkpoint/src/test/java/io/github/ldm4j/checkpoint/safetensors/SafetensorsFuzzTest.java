package io.github.ldm4j.checkpoint.safetensors;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.github.ldm4j.checkpoint.CheckpointFormatException;
import io.github.ldm4j.checkpoint.TensorEntry;
import io.github.ldm4j.tensor.Tensor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * {@link SafetensorsFile#open} on arbitrary bytes: the only allowed outcomes are a file that reads
 * back consistently or a {@link CheckpointFormatException}; any other exception, a hang or a crash
 * is a finding.
 *
 * <p>A plain {@code mvn verify} runs this in Jazzer's regression mode over the committed corpus
 * ({@code src/test/resources/.../SafetensorsFuzzTestInputs/openArbitraryBytes/}) only. To fuzz
 * (see checkpoint/README.md):
 *
 * <pre>
 * JAZZER_FUZZ=1 ./mvnw -B -pl checkpoint -am test -Dtest=SafetensorsFuzzTest -Dsurefire.failIfNoSpecifiedTests=false
 * </pre>
 */
class SafetensorsFuzzTest {

  private static final Path DIR = tempDir();

  private static Path tempDir() {
    try {
      Path dir = Files.createTempDirectory("ldm4j-safetensors-fuzz");
      dir.toFile().deleteOnExit();
      return dir;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @FuzzTest(maxDuration = "5m")
  @DictionaryEntries({
    "\"dtype\"", "\"shape\"", "\"data_offsets\"", "\"__metadata__\"", "\"F64\"", "\"F32\"", "\"F16\"", "\"BF16\"",
    "\"I64\"", "\"I32\"", "\"I16\"", "\"I8\"", "\"U8\"", "\"BOOL\"", "\"F8_E4M3\"", "[]", "{}", "null", "\\ud800"
  })
  void openArbitraryBytes(byte[] input) throws IOException {
    Path file = Files.write(DIR.resolve("input.safetensors"), input);
    SafetensorsFile f;
    try {
      f = SafetensorsFile.open(file);
    } catch (CheckpointFormatException expected) {
      assertThat(expected).hasMessageStartingWith(file + ": ");
      return;
    }
    try (f) {
      checkAccepted(f);
    }
  }

  /** What an accepted file promises: tensors tile the data section, convert, and survive a rewrite. */
  private static void checkAccepted(SafetensorsFile f) throws IOException {
    long covered = 0;
    SafetensorsWriter rewrite = new SafetensorsWriter().metadata(f.metadata());
    for (TensorEntry e : f.entries().values()) {
      MemorySegment data = f.data(e.name());
      assertThat(f.dataOffset(e.name())).isEqualTo(covered);
      assertThat(data.byteSize()).isEqualTo(e.byteSize());
      covered += data.byteSize();
      if (e.dtype().isFloating() && e.elements() > 0) {
        Tensor t = f.toFloat(e.name());
        assertThat((long) t.size()).isEqualTo(e.elements());
      }
      rewrite.add(e.name(), e.dtype(), e.shape(), data);
    }
    assertThat(covered).isEqualTo(f.dataSection().byteSize());

    Path copy = DIR.resolve("rewritten.safetensors");
    rewrite.write(copy);
    try (SafetensorsFile again = SafetensorsFile.open(copy)) {
      assertThat(again.metadata()).isEqualTo(f.metadata());
      assertThat(again.entries()).containsExactlyInAnyOrderEntriesOf(f.entries());
      for (String name : f.entries().keySet()) {
        assertThat(again.data(name).mismatch(f.data(name))).isEqualTo(-1);
      }
    }
  }
}
