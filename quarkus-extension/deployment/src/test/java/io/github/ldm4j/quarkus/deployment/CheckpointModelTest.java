package io.github.ldm4j.quarkus.deployment;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.ldm4j.checkpoint.DType;
import io.github.ldm4j.checkpoint.sd.FullSizeCheckpointCommand;
import io.github.ldm4j.generate.GenerationSettings;
import io.github.ldm4j.generate.GenerationRequest;
import io.github.ldm4j.image.RgbImage;
import io.github.ldm4j.quarkus.runtime.Ldm4jPipelines;
import io.quarkus.test.QuarkusUnitTest;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A single-file checkpoint as a configured model ({@code quarkus.ldm4j.models."x".path} naming a
 * {@code .safetensors} file): the extension converts it ({@code CheckpointFolders}, at {@code
 * quarkus.ldm4j.precision}, here {@code auto} on the CPU: fp32) into a cached folder under {@code
 * ldm4j.home} beside a model folder, and it generates.
 */
class CheckpointModelTest {


  @RegisterExtension
  static final QuarkusUnitTest APP = new QuarkusUnitTest()
      .withApplicationRoot(jar -> jar.addClass(TestModels.class))
      .overrideConfigKey("quarkus.ldm4j.model.path", TestModels.shapes128())
      .overrideConfigKey("quarkus.ldm4j.models.\"ckpt\".path", checkpoint().toString());

  @Inject Ldm4jPipelines pipelines;

  /** The checkpoint file under target/, written once; the conversion cache beside it. */
  static synchronized Path checkpoint() {
    Path dir = Path.of("target", "test-models").toAbsolutePath();
    Path file = dir.resolve("small-sd1.safetensors");
    System.setProperty("ldm4j.home", dir.resolve("ldm4j-home").toString());
    try {
      if (!Files.isRegularFile(file)) {
        Files.createDirectories(dir);
        FullSizeCheckpointCommand.write(FullSizeCheckpointCommand.SMALL_SD1, file, DType.F16, 7, new PrintStream(OutputStream.nullOutputStream()));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return file;
  }

  @Test
  void aCheckpointFileIsAModelThatGenerates() throws Exception {
    assertThat(pipelines.names()).containsExactly("default", "ckpt");
    assertThat(pipelines.folder("ckpt")).isEqualTo(checkpoint());
    var generator = pipelines.generator("ckpt").orElseThrow();
    assertThat(generator.model().name()).startsWith("small-sd1-");
    RgbImage image = generator.generate(new GenerationRequest.TextToImage("a watercolor fox", "",
        GenerationSettings.builder().size(64, 64).steps(2).build())).images().getFirst().image();
    assertThat(image.width()).isEqualTo(64);
    assertThat(image.height()).isEqualTo(64);
  }
}
