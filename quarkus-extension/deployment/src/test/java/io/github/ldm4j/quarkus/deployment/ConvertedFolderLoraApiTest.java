package io.github.ldm4j.quarkus.deployment;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.ldm4j.checkpoint.DType;
import io.github.ldm4j.checkpoint.sd.CheckpointFolders;
import io.github.ldm4j.checkpoint.sd.FullSizeCheckpointCommand;
import io.github.ldm4j.checkpoint.sd.SmallSd1Lora;
import io.github.ldm4j.image.PngCodec;
import io.quarkus.test.QuarkusUnitTest;
import io.quarkus.test.common.http.TestHTTPResource;
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
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * LoRAs on a configured model folder ldm4j converted: the default model is the conversion of a small
 * seeded SD 1.x checkpoint ({@code FullSizeCheckpointCommand.SMALL_SD1}), which is also in the library as
 * {@code Stable-diffusion/small}; {@code <lora:L:1>} (a kohya LoRA of random weights: text encoder MLP, UNet
 * attention, a 1×1 conv) on the folder gives the image it gives on the checkpoint, and changes it.
 */
class ConvertedFolderLoraApiTest {

  static final Path DIR = Path.of("target", "test-models", "converted-folder-lora").toAbsolutePath();

  @RegisterExtension
  static final QuarkusUnitTest APP = new QuarkusUnitTest()
      .withApplicationRoot(jar -> jar.addClass(TestModels.class))
      .overrideConfigKey("quarkus.ldm4j.model.path", folder().toString())
      .overrideConfigKey("quarkus.ldm4j.library.models-dir", DIR.resolve("models").toString());

  @TestHTTPResource("/") URI base;

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient CLIENT = HttpClient.newHttpClient();

  /** The library (checkpoint and LoRA), written once, and the checkpoint's conversion: the default model. */
  static synchronized Path folder() {
    System.setProperty("ldm4j.home", DIR.resolve("ldm4j-home").toString());
    Path models = DIR.resolve("models");
    try {
      Path ckpt = models.resolve("Stable-diffusion/small.safetensors");
      if (!Files.isRegularFile(ckpt)) {
        Files.createDirectories(ckpt.getParent());
        FullSizeCheckpointCommand.write(FullSizeCheckpointCommand.SMALL_SD1, ckpt, DType.F16, 7,
            new PrintStream(OutputStream.nullOutputStream()));
        Files.createDirectories(models.resolve("Lora"));
        SmallSd1Lora.write(models.resolve("Lora/L.safetensors"), 11, Map.of());
      }
      return CheckpointFolders.cached(CheckpointFolders.Request.defaults(ckpt));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }



  /** An OpenAI generation of {@code model} (null: the default), 64×64, 2 Euler steps, seed 5. */
  private PngCodec.Decoded openAi(String model, String prompt) throws Exception {
    String m = model == null ? "" : "\"model\":\"" + model + "\",";
    HttpResponse<String> r = CLIENT.send(HttpRequest.newBuilder(base.resolve("/v1/images/generations"))
        .timeout(Duration.ofMinutes(3)).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString("{" + m + "\"prompt\":" + JSON.writeValueAsString(prompt)
            + ",\"size\":\"64x64\",\"steps\":2,\"sampler\":\"euler\",\"seed\":5}")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return PngCodec.decode(Base64.getDecoder().decode(JSON.readTree(r.body()).get("data").get(0).get("b64_json").asText()),
        Long.MAX_VALUE);
  }

  @Test
  void aLoraTagOnTheConvertedFolderGivesTheImageItGivesOnTheCheckpoint() throws Exception {
    PngCodec.Decoded folder = openAi(null, "a fox <lora:L:1>");
    PngCodec.Decoded plain = openAi(null, "a fox");
    PngCodec.Decoded checkpoint = openAi("small", "a fox <lora:L:1>");
    assertThat(folder.image()).isEqualTo(checkpoint.image()).isNotEqualTo(plain.image());
    assertThat(folder.parameters().orElseThrow()).contains("Lora hashes: \"L: ");
  }
}
