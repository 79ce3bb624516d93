package io.github.ldm4j.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.ldm4j.demo.ShapesModel;
import io.github.ldm4j.demo.ShapesOptions;
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
 * Without {@code --model}, {@code serve} uses the model a configuration source names — here
 * {@code config/application.properties} in the working directory — and falls back to the demo
 * model only when none does.
 */
class ServeConfigPrecedenceIT {

  @TempDir Path work;

  @Test
  void aModelPathInConfigApplicationPropertiesWinsOverTheDemoModel() throws Exception {
    Path model = work.resolve("configured-shapes");
    ShapesModel.write(model, ShapesOptions.defaults().withImageSize(128));
    Files.createDirectories(work.resolve("config"));
    Files.writeString(work.resolve("config/application.properties"),
        "quarkus.ldm4j.model.path=" + model.toAbsolutePath() + "\n");
    try (ServeProcess serve = ServeProcess.start(work, List.of())) {
      String models = HttpClient.newHttpClient().send(
          HttpRequest.newBuilder(URI.create(serve.base() + "/ldm4j/models")).build(),
          HttpResponse.BodyHandlers.ofString()).body();
      assertThat(models).contains(model.toAbsolutePath().toString()).doesNotContain("shapes-512-v2");
      assertThat(serve.terminate()).isZero();
    }
  }
}
