package io.github.ldm4j.backend.openvino;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.ldm4j.backend.openvino.emulator.OvEmulator;
import io.github.ldm4j.checkpoint.DType;
import io.github.ldm4j.checkpoint.sd.CheckpointFolders;
import io.github.ldm4j.checkpoint.sd.FullSizeCheckpointCommand;
import io.github.ldm4j.generate.GenerationLimits;
import io.github.ldm4j.generate.GenerationRequest;
import io.github.ldm4j.generate.GenerationSettings;
import io.github.ldm4j.generate.Generator;
import io.github.ldm4j.generate.ModelAssembler;
import io.github.ldm4j.image.RgbImage;
import io.github.ldm4j.spi.BackendOptions;
import io.github.ldm4j.spi.BackendProvider;
import io.github.ldm4j.spi.Backends;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The same checkpoint opens on the openvino backend: its cached conversion (ONNX with external data,
 * {@link CheckpointFolders}) is read by OpenVINO's ONNX front end. Run on the C-API emulator (ONNX
 * Runtime underneath), so the image equals the onnx backend's to the bit; a real OpenVINO was not
 * available here.
 */
class CheckpointOnOpenVinoTest {


  @TempDir Path dir;
  private OvEmulator emulator;

  @BeforeEach
  void startEmulator() {
    emulator = new OvEmulator(List.of("CPU"));
  }

  @AfterEach
  void checkOwnership() {
    assertThat(emulator.problems()).isEmpty();
    emulator.close();
  }

  @Test
  void aCheckpointsCachedFolderGeneratesOnOpenVinoAsOnOnnx() throws Exception {
    Path file = dir.resolve("small-sd1.safetensors");
    FullSizeCheckpointCommand.write(FullSizeCheckpointCommand.SMALL_SD1, file, DType.F16, 5, new PrintStream(OutputStream.nullOutputStream()));
    String previous = System.getProperty("ldm4j.home");
    Path folder;
    try {
      System.setProperty("ldm4j.home", dir.resolve("home").toString());
      folder = CheckpointFolders.cached(CheckpointFolders.Request.defaults(file));
    } finally {
      if (previous == null) {
        System.clearProperty("ldm4j.home");
      } else {
        System.setProperty("ldm4j.home", previous);
      }
    }
    assertThat(folder.resolve("unet/model.onnx_data")).exists(); // external data, as OpenVINO must resolve it
    GenerationRequest r = new GenerationRequest.TextToImage("a watercolor fox", "",
        GenerationSettings.builder().size(64, 64).steps(2).sampler("euler", "karras").build());
    RgbImage onOnnx;
    try (Generator g = Generator.open(folder, "onnx", BackendOptions.DEFAULTS, GenerationLimits.DEFAULTS)) {
      onOnnx = g.generate(r).images().getFirst().image();
    }
    BackendProvider openvino = new OpenVinoBackendProvider(emulator.runtime(), OpenVinoOptions.DEFAULTS);
    Function<String, BackendProvider> backends = name -> name.equals(OpenVinoBackendProvider.NAME) ? openvino : Backends.find(name);
    try (Generator g = ModelAssembler.open(folder, OpenVinoBackendProvider.NAME, new BackendOptions("CPU", 0, 0, false), GenerationLimits.DEFAULTS, backends)) {
      assertThat(g.generate(r).images().getFirst().image()).isEqualTo(onOnnx);
    }
    assertThat(Files.list(dir.resolve("home").resolve("checkpoints")).toList()).hasSize(1);
  }
}
