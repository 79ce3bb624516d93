package io.github.ldm4j.quarkus.deployment;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.ldm4j.checkpoint.DType;
import io.github.ldm4j.checkpoint.sd.CheckpointFolders;
import io.github.ldm4j.checkpoint.sd.ConvertedFolder;
import io.github.ldm4j.checkpoint.sd.FullSizeCheckpointCommand;
import io.github.ldm4j.checkpoint.sd.SmallSd1Lora;
import io.github.ldm4j.export.folder.Precision;
import io.github.ldm4j.export.folder.PrecisionChoice;
import io.github.ldm4j.folder.ModelComponent;
import io.github.ldm4j.folder.onnx.OnnxModelIndex;
import io.github.ldm4j.image.PngCodec;
import io.github.ldm4j.quarkus.runtime.Ldm4jConfig;
import io.github.ldm4j.quarkus.runtime.Ldm4jPipelines;
import io.quarkus.test.QuarkusUnitTest;
import io.quarkus.test.common.http.TestHTTPResource;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue 18: {@code quarkus.ldm4j.precision=int8} reaches the extension's own conversions. The default
 * model is a small seeded SD 1.x checkpoint ({@code FullSizeCheckpointCommand.SMALL_SD1}, also the
 * library's {@code Stable-diffusion/small}): it is opened from its int8 conversion (UNet conv and
 * linear weights int8 initializers, the folder's recorded precision int8), it generates, and a
 * request's {@code <lora:L:1>} — which cannot be added to int8 weights at load time — is merged into
 * the checkpoint before quantizing: a second int8 folder, and another image.
 */
class PrecisionConfigTest {

  static final Path DIR = Path.of("target", "test-models", "precision-int8").toAbsolutePath();

  @RegisterExtension
  static final QuarkusUnitTest APP = new QuarkusUnitTest()
      .withApplicationRoot(jar -> jar.addClass(TestModels.class))
      .overrideConfigKey("quarkus.ldm4j.model.path", checkpoint().toString())
      .overrideConfigKey("quarkus.ldm4j.library.models-dir", DIR.resolve("models").toString())
      .overrideConfigKey("quarkus.ldm4j.precision", "int8");

  @Inject Ldm4jConfig config;
  @Inject Ldm4jPipelines pipelines;
  @TestHTTPResource("/") URI base;

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient CLIENT = HttpClient.newHttpClient();

  private static boolean converted;

  private static void deleteTree(Path root) throws IOException {
    if (Files.exists(root)) {
      try (Stream<Path> all = Files.walk(root)) {
        for (Path p : all.sorted(java.util.Comparator.reverseOrder()).toList()) {
          Files.delete(p);
        }
      }
    }
  }

  /** The library (checkpoint and LoRA), written once; the ldm4j home (the conversions) of this test only. */
  static synchronized Path checkpoint() {
    Path home = DIR.resolve("ldm4j-home");
    System.setProperty("ldm4j.home", home.toString());
    Path models = DIR.resolve("models");
    Path ckpt = models.resolve("Stable-diffusion/small.safetensors");
    try {
      if (!converted) {
        // the conversions are counted: none may be left from an earlier run in this target folder
        deleteTree(home);
        converted = true;
      }
      if (!Files.isRegularFile(ckpt)) {
        Files.createDirectories(ckpt.getParent());
        FullSizeCheckpointCommand.write(FullSizeCheckpointCommand.SMALL_SD1, ckpt, DType.F16, 7,
            new PrintStream(OutputStream.nullOutputStream()));
        Files.createDirectories(models.resolve("Lora"));
        SmallSd1Lora.write(models.resolve("Lora/L.safetensors"), 11, Map.of());
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return ckpt;
  }

  /** The converted folders in the ldm4j home. */
  private static List<Path> conversions() throws IOException {
    try (Stream<Path> s = Files.list(DIR.resolve("ldm4j-home/checkpoints"))) {
      return s.filter(p -> Files.isRegularFile(p.resolve("model_index.json"))).sorted().toList();
    }
  }

  /** An OpenAI generation of the default model, 64×64, 2 Euler steps, seed 5. */
  private PngCodec.Decoded openAi(String prompt) throws Exception {
    HttpResponse<String> r = CLIENT.send(HttpRequest.newBuilder(base.resolve("/v1/images/generations"))
        .timeout(Duration.ofMinutes(3)).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString("{\"prompt\":" + JSON.writeValueAsString(prompt)
            + ",\"size\":\"64x64\",\"steps\":2,\"sampler\":\"euler\",\"seed\":5}")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return PngCodec.decode(Base64.getDecoder().decode(JSON.readTree(r.body()).get("data").get(0).get("b64_json").asText()),
        Long.MAX_VALUE);
  }

  @Test
  void theDefaultModelIsTheInt8ConversionAndALoraIsMergedBeforeQuantizing() throws Exception {
    assertThat(config.precision()).isEqualTo(PrecisionChoice.INT8);
    assertThat(pipelines.folder("default")).isEqualTo(checkpoint()); // the checkpoint itself: LoRAs apply to it
    Path int8 = CheckpointFolders.cached(CheckpointFolders.Request.defaults(checkpoint()).withPrecision(Precision.INT8));
    assertThat(pipelines.generator("default").orElseThrow().model().name()).isEqualTo(int8.getFileName().toString());
    assertThat(ConvertedFolder.read(int8).precision()).isEqualTo(Precision.INT8);
    Path unet = int8.resolve(ModelComponent.UNET.folderName()).resolve("model.onnx");
    assertThat(OnnxModelIndex.<Boolean>read(unet, i -> i.isInt8("conv_in.weight") && !i.isInt8("conv_in.bias"))).isTrue();
    assertThat(conversions()).containsExactly(int8); // no fp32 conversion beside it

    PngCodec.Decoded plain = openAi("a fox");
    PngCodec.Decoded lora = openAi("a fox <lora:L:1>");
    assertThat(lora.image()).isNotEqualTo(plain.image());
    assertThat(lora.parameters().orElseThrow()).contains("Lora hashes: \"L: ");
    List<Path> all = conversions();
    assertThat(all).hasSize(2).contains(int8);
    for (Path p : all) {
      assertThat(ConvertedFolder.read(p).precision()).as("%s", p).isEqualTo(Precision.INT8);
    }
  }
}
