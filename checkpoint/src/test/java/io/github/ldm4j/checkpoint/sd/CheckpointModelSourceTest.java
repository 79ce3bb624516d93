package io.github.ldm4j.checkpoint.sd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.ldm4j.checkpoint.CheckpointFormatException;
import io.github.ldm4j.checkpoint.DType;
import io.github.ldm4j.generate.GenerationLimits;
import io.github.ldm4j.generate.GenerationRequest;
import io.github.ldm4j.generate.GenerationSettings;
import io.github.ldm4j.generate.Generator;
import io.github.ldm4j.image.RgbImage;
import io.github.ldm4j.spi.BackendOptions;
import io.github.ldm4j.spi.ModelSources;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A checkpoint file opens wherever a model folder does ({@link Generator#open} through the {@code
 * checkpoint} model source): converted once into a cached folder under the ldm4j home, reused while
 * the file is unchanged, rebuilt when it changes, and giving the same image as the folder {@code
 * ldm4j convert} writes.
 */
class CheckpointModelSourceTest {

  @TempDir Path dir;
  private TemporaryHome home;

  @BeforeEach
  void home() {
    home = new TemporaryHome(dir.resolve("home"));
  }

  @AfterEach
  void restoreHome() {
    home.close();
  }

  @Test
  void bothSourcesAreRegistered() {
    assertThat(ModelSources.all()).containsOnlyKeys("checkpoint", "folder");
  }

  @Test
  void generatorOpenTakesACheckpointFileAndCachesItsConversion() throws Exception {
    Path file = dir.resolve("small.safetensors");
    FullSizeCheckpointCommand.write(SdCheckpointTest.SMALL, file, DType.F16, 3, new PrintStream(OutputStream.nullOutputStream()));
    GenerationSettings s = GenerationSettings.builder().size(64, 64).steps(2).sampler("euler", "karras").build();
    GenerationRequest r = new GenerationRequest.TextToImage("a cat", "", s);

    RgbImage fromFile;
    try (Generator g = Generator.open(file, "onnx", BackendOptions.DEFAULTS, GenerationLimits.DEFAULTS)) {
      fromFile = g.generate(r).images().getFirst().image();
    }
    Path cached = ModelSources.modelFolder(file);
    assertThat(cached).startsWith(dir.resolve("home").resolve("checkpoints"));
    assertThat(cached.getFileName().toString()).startsWith("small-");
    long written = Files.getLastModifiedTime(cached.resolve("unet/model.onnx")).toMillis();
    assertThat(ModelSources.modelFolder(file)).isEqualTo(cached); // reused, not rewritten
    assertThat(Files.getLastModifiedTime(cached.resolve("unet/model.onnx")).toMillis()).isEqualTo(written);

    Path converted = CheckpointFolders.convert(CheckpointFolders.Request.defaults(file), dir.resolve("converted"));
    try (Generator g = Generator.open(converted, "onnx", BackendOptions.DEFAULTS, GenerationLimits.DEFAULTS)) {
      assertThat(g.generate(r).images().getFirst().image()).isEqualTo(fromFile);
    }

    // a changed file (another seed, so other weights) is converted again, not served from the old folder
    FullSizeCheckpointCommand.write(SdCheckpointTest.SMALL, file, DType.F16, 4, new PrintStream(OutputStream.nullOutputStream()));
    Files.setLastModifiedTime(file, java.nio.file.attribute.FileTime.fromMillis(written + 5_000));
    assertThat(ModelSources.modelFolder(file)).isNotEqualTo(cached);
  }

  @Test
  void aFileThatIsNoCheckpointFailsNamingIt() throws Exception {
    Path notes = Files.writeString(dir.resolve("notes.safetensors"), "not a model");
    assertThatThrownBy(() -> Generator.open(notes, "onnx", BackendOptions.DEFAULTS, GenerationLimits.DEFAULTS))
        .isInstanceOf(CheckpointFormatException.class)
        .hasMessageContaining(notes.toString());
    assertThat(dir.resolve("home").resolve("checkpoints")).satisfiesAnyOf(
        p -> assertThat(p).doesNotExist(),
        p -> assertThat(Files.list(p).filter(f -> !f.getFileName().toString().startsWith(".")).toList()).isEmpty());
  }
}
