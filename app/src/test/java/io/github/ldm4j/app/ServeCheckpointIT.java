package io.github.ldm4j.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.ldm4j.checkpoint.DType;
import io.github.ldm4j.checkpoint.sd.FullSizeCheckpointCommand;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code serve --model FILE.safetensors}: a CompVis-layout checkpoint (small SD 1.x sizes, CLIP's
 * full 49,408-token vocabulary, seeded F16 weights) is converted at start-up and answers the OpenAI
 * images endpoint with a PNG; a file that is not a model stops start-up with exit 1 naming it.
 */
class ServeCheckpointIT {


  @TempDir Path work;

  @Test
  void aCheckpointFileIsServedAndABadOneStopsStartupNamingIt() throws Exception {
    Path ckpt = work.resolve("small-sd1.safetensors");
    FullSizeCheckpointCommand.write(FullSizeCheckpointCommand.SMALL_SD1, ckpt, DType.F16, 7, new PrintStream(OutputStream.nullOutputStream()));
    try (ServeProcess serve = ServeProcess.start(work, List.of(), List.of("--model", ckpt.toString()))) {
      HttpClient http = HttpClient.newHttpClient();
      HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(serve.base() + "/v1/images/generations"))
          .header("Content-Type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofString(
              "{\"prompt\":\"a watercolor fox\",\"size\":\"64x64\",\"steps\":3,\"seed\":1,\"response_format\":\"b64_json\"}"))
          .build(), HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
      assertThat(r.body()).contains("\"b64_json\"").contains("iVBORw0KGgo"); // base64 of the PNG signature
      String models = http.send(HttpRequest.newBuilder(URI.create(serve.base() + "/ldm4j/models")).build(),
          HttpResponse.BodyHandlers.ofString()).body();
      assertThat(models).contains("small-sd1");
      assertThat(serve.terminate()).isZero();
    }

    Path notAModel = Files.writeString(work.resolve("notes.safetensors"), "not a model");
    AppProcess.Result bad = AppProcess.run(work, "serve", "--port", "0", "--model", notAModel.toString());
    assertThat(bad.exitCode()).isEqualTo(1);
    assertThat(bad.stderr()).contains(notAModel.toString()).doesNotContain("\tat ");
  }
}
