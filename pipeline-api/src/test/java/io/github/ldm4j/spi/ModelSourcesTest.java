package io.github.ldm4j.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Model sources without {@code ldm4j-checkpoint}: folders are themselves, a file is refused listing what was found. */
class ModelSourcesTest {

  @TempDir Path dir;

  @Test
  void aFolderIsItsOwnModelFolder() throws IOException {
    assertThat(ModelSources.all()).containsOnlyKeys("folder");
    assertThat(ModelSources.modelFolder(dir)).isEqualTo(dir);
  }

  @Test
  void aMissingPathIsPassedOnSoThatOpeningItNamesIt() throws IOException {
    Path missing = dir.resolve("nope");
    assertThat(ModelSources.modelFolder(missing)).isEqualTo(missing);
  }

  @Test
  void aFileNoSourceReadsIsRefusedListingTheSourcesFound() throws IOException {
    Path file = Files.writeString(dir.resolve("v1-5.safetensors"), "x");
    assertThatThrownBy(() -> ModelSources.modelFolder(file))
        .isInstanceOf(IOException.class)
        .hasMessageContaining(file.toString())
        .hasMessageContaining("folder (a diffusers / optimum model folder)")
        .hasMessageContaining("ldm4j-checkpoint");
  }
}
