package io.github.ldm4j.quarkus.deployment;

import static io.github.ldm4j.quarkus.deployment.OpenAiHttp.json;
import static io.github.ldm4j.quarkus.deployment.OpenAiHttp.send;
import static io.github.ldm4j.quarkus.deployment.OpenAiHttp.text;
import static io.github.ldm4j.quarkus.deployment.OpenAiHttp.tree;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.test.QuarkusUnitTest;
import io.quarkus.test.common.http.TestHTTPResource;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The bounds of the image store behind {@code response_format: "url"}, as documented: a URL answers for
 * {@code url-ttl} (here 3 s) and then 404, its file deleted by the sweep without any access; a full
 * store ({@code max-files=3}) drops the oldest images first; a response with more images than the
 * store holds is 507 with the OpenAI body; a configured {@code public-base-url} makes the URLs.
 */
class OpenAiImagesUrlBoundsTest {

  static final Path DIR = Path.of("target", "test-images", "bounds-test").toAbsolutePath();

  @RegisterExtension
  static final QuarkusUnitTest APP = new QuarkusUnitTest()
      .withApplicationRoot(jar -> jar.addClasses(TestModels.class, OpenAiHttp.class))
      .overrideConfigKey("quarkus.http.test-port", "0") // a free port: other builds may hold 8081
      .overrideConfigKey("quarkus.ldm4j.model.path", TestModels.shapes128())
      .overrideConfigKey("quarkus.ldm4j.images.dir", DIR.toString())
      .overrideConfigKey("quarkus.ldm4j.images.url-ttl", "3S")
      .overrideConfigKey("quarkus.ldm4j.images.max-files", "3")
      .overrideConfigKey("quarkus.ldm4j.images.public-base-url", "https://images.example.com/ldm4j");

  @TestHTTPResource("/") URI base;

  private static final String PREFIX = "https://images.example.com/ldm4j/v1/images/files/";

  /** The URLs of a generation of {@code n} images, made local (this server's address). */
  private List<String> generate(int n) {
    HttpResponse<byte[]> r = send(json(base.resolve("/v1/images/generations"),
        "{\"prompt\":\"a red circle\",\"size\":\"128x128\",\"steps\":1,\"n\":" + n + ",\"response_format\":\"url\"}"));
    assertThat(r.statusCode()).as(text(r)).isEqualTo(200);
    JsonNode data = tree(r).get("data");
    assertThat(data).hasSize(n);
    return java.util.stream.StreamSupport.stream(data.spliterator(), false).map(d -> {
      String url = d.get("url").asText();
      assertThat(url).startsWith(PREFIX).matches(".*/[A-Za-z0-9_-]{32}\\.png");
      return base.resolve("/v1/images/files/" + url.substring(PREFIX.length())).toString();
    }).toList();
  }

  private static int status(String url) {
    return send(HttpRequest.newBuilder(URI.create(url)).GET()).statusCode();
  }

  private static List<Path> files() throws Exception {
    try (Stream<Path> s = Files.walk(DIR)) {
      return s.filter(p -> p.getFileName().toString().endsWith(".png")).toList();
    }
  }

  @Test
  void urlsExpireFullStoresDropTheOldestAndOversizedResponsesAre507() throws Exception {
    // expiry: gone after the TTL without any access (the sweep), then 404
    String first = generate(1).getFirst();
    assertThat(status(first)).isEqualTo(200);
    assertThat(files()).hasSize(1);
    long deadline = System.nanoTime() + 20_000_000_000L;
    while (!files().isEmpty() && System.nanoTime() < deadline) {
      Thread.sleep(100);
    }
    assertThat(files()).isEmpty();
    HttpResponse<byte[]> expired = send(HttpRequest.newBuilder(URI.create(first)).GET());
    assertThat(expired.statusCode()).isEqualTo(404);
    assertThat(tree(expired).get("error").get("code").asText()).isEqualTo("image_not_found");

    // bound: 2 + 2 images in a store of 3 drop the oldest one
    List<String> a = generate(2);
    List<String> b = generate(2);
    assertThat(status(a.get(0))).isEqualTo(404);
    assertThat(status(a.get(1))).isEqualTo(200);
    assertThat(status(b.get(0))).isEqualTo(200);
    assertThat(status(b.get(1))).isEqualTo(200);
    assertThat(files()).hasSize(3);

    // a response larger than the store: 507, nothing dropped
    HttpResponse<byte[]> tooMany = send(json(base.resolve("/v1/images/generations"),
        "{\"prompt\":\"a red circle\",\"size\":\"128x128\",\"steps\":1,\"n\":4,\"response_format\":\"url\"}"));
    assertThat(tooMany.statusCode()).as(text(tooMany)).isEqualTo(507);
    JsonNode e = tree(tooMany).get("error");
    assertThat(e.get("code").asText()).isEqualTo("image_store_full");
    assertThat(e.get("message").asText()).contains("quarkus.ldm4j.images.max-files=3").contains("b64_json");
    assertThat(status(b.get(1))).isEqualTo(200);
  }
}
