package io.github.ldm4j.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.errors.BadRequestException;
import com.openai.models.images.Image;
import com.openai.models.images.ImageCreateVariationParams;
import com.openai.models.images.ImageGenerateParams;
import com.openai.models.images.ImageModel;
import com.openai.models.images.ImagesResponse;
import io.github.ldm4j.image.PngCodec;
import io.github.ldm4j.image.RgbImage;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code ldm4j serve} on the demo model, run as a process, answers OpenAI's own Java client. */
class ServeOpenAiIT {

  @TempDir static Path work;

  private static ServeProcess server;
  private static int port;

  @BeforeAll
  static void startServer() throws Exception {
    server = ServeProcess.start(work, List.of());
    port = server.port();
  }

  @AfterAll
  static void stopServer() throws Exception {
    if (server != null) {
      try (ServeProcess s = server) {
        assertThat(s.terminate()).as("exit code after SIGTERM: " + s.stderr()).isZero();
        assertThat(s.stderr()).contains("stopped in");
      }
    }
  }

  private static OpenAIClient client() {
    return OpenAIOkHttpClient.builder().apiKey("not-needed").baseUrl("http://127.0.0.1:" + port + "/v1")
        .maxRetries(0).build();
  }

  @Test
  void startupPrintsTheUrlAndListens() throws Exception {
    assertThat(server.stdout()).contains("ldm4j: serving default on http://127.0.0.1:" + port);
    assertThat(server.stderr()).contains("Listening on: http://127.0.0.1:" + port);
  }

  @Test
  void openAiClientGeneratesAGreenSquare() {
    ImagesResponse response = client().images().generate(ImageGenerateParams.builder()
        .prompt("a green square")
        .model(ImageModel.DALL_E_2) // OpenAI's own ids are served by the default model
        .size(ImageGenerateParams.Size._512X512)
        .responseFormat(ImageGenerateParams.ResponseFormat.B64_JSON)
        .n(1)
        .build());
    List<Image> images = response.data().orElseThrow();
    assertThat(images).hasSize(1);
    byte[] png = Base64.getDecoder().decode(images.getFirst().b64Json().orElseThrow());
    RgbImage img = PngCodec.decode(png, 1 << 20).image();
    assertThat(img.width()).isEqualTo(512);
    assertThat(img.height()).isEqualTo(512);
    Pngs.assertShapeColour(img, 1);
  }

  @Test
  void openAiClientGetsAUrlVariationsAndTheModels() throws Exception {
    ImagesResponse byUrl = client().images().generate(ImageGenerateParams.builder()
        .prompt("a green square").size(ImageGenerateParams.Size._512X512)
        .responseFormat(ImageGenerateParams.ResponseFormat.URL).build());
    String url = byUrl.data().orElseThrow().getFirst().url().orElseThrow();
    assertThat(url).matches("http://127\\.0\\.0\\.1:" + port + "/v1/images/files/[A-Za-z0-9_-]{32}\\.png");
    HttpResponse<byte[]> file = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url)).build(),
        HttpResponse.BodyHandlers.ofByteArray());
    assertThat(file.statusCode()).isEqualTo(200);
    RgbImage fetched = PngCodec.decode(file.body(), 1 << 20).image();
    assertThat(fetched.width()).isEqualTo(512);
    Pngs.assertShapeColour(fetched, 1);

    byte[] green = file.body();
    ImagesResponse variation = client().images().createVariation(ImageCreateVariationParams.builder()
        .image(green).size(ImageCreateVariationParams.Size._512X512).n(1)
        .responseFormat(ImageCreateVariationParams.ResponseFormat.B64_JSON).build());
    RgbImage v = PngCodec.decode(Base64.getDecoder().decode(variation.data().orElseThrow().getFirst().b64Json().orElseThrow()),
        1 << 20).image();
    assertThat(v.width()).isEqualTo(512);
    assertThat(v.height()).isEqualTo(512);

    List<String> ids = client().models().list().data().stream().map(com.openai.models.models.Model::id).toList();
    assertThat(ids).contains("default", "dall-e-2", "dall-e-3", "gpt-image-1");
    assertThat(client().models().retrieve("dall-e-3").id()).isEqualTo("dall-e-3");
  }

  @Test
  void aRejectedRequestSurfacesAsTheClientsExceptionWithOurErrorBody() {
    BadRequestException e = catchThrowableOfType(BadRequestException.class, () -> client().images().generate(
        ImageGenerateParams.builder().prompt("a green square").n(50)
            .responseFormat(ImageGenerateParams.ResponseFormat.B64_JSON).build()));
    assertThat(e).isNotNull();
    assertThat(e.statusCode()).isEqualTo(400);
    assertThat(e.type()).hasValue("invalid_request_error");
    assertThat(e.code()).hasValue("invalid_value");
    assertThat(e.param()).hasValue("n");
    assertThat(e.body().toString()).contains("'n' must be in [1, 4], got 50");
  }
}
