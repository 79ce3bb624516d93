package io.github.ldm4j.folder;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * {@link ModelFolder#openOnnx} of a folder whose JSON files ({@code model_index.json}, {@code
 * vae_decoder/config.json}, {@code unet/config.json}) hold arbitrary bytes (the input split at its
 * first two NUL bytes, so that a seed is the three files joined by NULs): the only allowed outcomes
 * are an {@link IOException} naming the file or a folder whose values are sane (a finite positive
 * scaling factor, the pipeline class readable). Any other exception, a hang or running out of memory
 * is a finding.
 *
 * <p>A plain {@code mvn verify} runs this in Jazzer's regression mode over the committed corpus
 * ({@code src/test/resources/io/github/ldm4j/folder/ModelFolderFuzzTestInputs/openArbitraryJson/}).
 * To fuzz, see pipeline-api/README.md.
 */
class ModelFolderFuzzTest {

  private static final Path DIR = folder();

  private static Path folder() {
    try {
      Path dir = Files.createTempDirectory("ldm4j-folder-fuzz");
      for (ModelComponent c : ModelComponent.values()) {
        Files.createDirectories(dir.resolve(c.folderName()));
        Files.write(dir.resolve(c.folderName()).resolve("model.onnx"), new byte[0]);
      }
      return dir;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @FuzzTest(maxDuration = "5m")
  void openArbitraryJson(byte[] input) throws IOException {
    byte[][] files = split(input, 3);
    Files.write(DIR.resolve("model_index.json"), files[0]);
    Files.write(DIR.resolve("vae_decoder").resolve("config.json"), files[1]);
    Files.write(DIR.resolve("unet").resolve("config.json"), files[2]);
    ModelFolder folder;
    try {
      folder = ModelFolder.openOnnx(DIR);
    } catch (IOException expected) {
      assertThat(expected.getMessage()).contains(DIR.toString());
      return;
    }
    assertThat(folder.scalingFactor()).isPositive().isFinite();
    assertThat(folder.pipelineClass()).isNotNull();
    assertThat(folder.unetInChannels()).isNotNull();
    assertThat(folder.has(ModelComponent.UNET)).isTrue();
  }

  /** {@code input} cut at its first {@code n - 1} NUL bytes into {@code n} parts (missing ones empty). */
  static byte[][] split(byte[] input, int n) {
    byte[][] parts = new byte[n][];
    int from = 0;
    for (int k = 0; k < n; k++) {
      int to = from;
      while (to < input.length && (k == n - 1 || input[to] != 0)) {
        to++;
      }
      parts[k] = java.util.Arrays.copyOfRange(input, Math.min(from, input.length), Math.min(to, input.length));
      from = to + 1;
    }
    return parts;
  }
}
