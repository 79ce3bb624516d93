package io.github.ldm4j.quarkus.deployment;

import static io.github.ldm4j.quarkus.deployment.OpenAiHttp.json;
import static io.github.ldm4j.quarkus.deployment.OpenAiHttp.send;
import static io.github.ldm4j.quarkus.deployment.OpenAiHttp.text;
import static io.github.ldm4j.quarkus.deployment.OpenAiHttp.tree;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.ldm4j.image.RgbImage;
import io.quarkus.test.QuarkusUnitTest;
import io.quarkus.test.common.http.TestHTTPResource;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code response_format: "url"} of the OpenAI endpoints with an API key and Quarkus' proxy handling
 * on: the URLs (from {@code Host}, or {@code X-Forwarded-*} / {@code Forwarded}) answer the same PNG as
 * {@code b64_json} without the key, with a Cache-Control of the remaining TTL; unknown ids are 404
 * with the OpenAI body; a hostile host is 400 before any generation.
 */
class OpenAiImagesUrlTest {

  static final String KEY = "url-test-key";
  static final Path DIR = Path.of("target", "test-images", "url-test").toAbsolutePath();
  static final Pattern URL = Pattern.compile("http://localhost:(\\d+)/v1/images/files/([A-Za-z0-9_-]{32})\\.png");

  @RegisterExtension
  static final QuarkusUnitTest APP = new QuarkusUnitTest()
      .withApplicationRoot(jar -> jar.addClasses(TestModels.class, OpenAiHttp.class))
      .overrideConfigKey("quarkus.http.test-port", "0") // a free port: other builds may hold 8081
      .overrideConfigKey("quarkus.ldm4j.model.path", TestModels.shapes128())
      .overrideConfigKey("quarkus.ldm4j.api-key", KEY)
      .overrideConfigKey("quarkus.ldm4j.images.dir", DIR.toString())
      .overrideConfigKey("quarkus.http.proxy.proxy-address-forwarding", "true")
      .overrideConfigKey("quarkus.http.proxy.allow-x-forwarded", "true")
      .overrideConfigKey("quarkus.http.proxy.allow-forwarded", "true")
      .overrideConfigKey("quarkus.http.proxy.enable-forwarded-host", "true");

  @TestHTTPResource("/") URI base;

  private static HttpRequest.Builder auth(HttpRequest.Builder b) {
    return b.header("Authorization", "Bearer " + KEY);
  }

  private HttpResponse<byte[]> generate(String body, String... headers) {
    HttpRequest.Builder b = auth(json(base.resolve("/v1/images/generations"), body));
    for (int i = 0; i < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    return send(b);
  }

  private static HttpResponse<byte[]> get(String url) {
    return send(HttpRequest.newBuilder(URI.create(url)).GET());
  }

  @Test
  void aUrlAnswersThePngOfB64JsonWithoutTheKeyForItsRemainingTtl() throws Exception {
    String body = "{\"prompt\":\"a red circle\",\"size\":\"128x128\",\"steps\":2,\"seed\":5";
    HttpResponse<byte[]> url = generate(body + ",\"response_format\":\"url\"}");
    assertThat(url.statusCode()).as(text(url)).isEqualTo(200);
    JsonNode image = tree(url).get("data").get(0);
    assertThat(image.has("b64_json")).isFalse();
    assertThat(image.get("revised_prompt").asText()).isEqualTo("a red circle");
    assertThat(image.get("seed").asLong()).isEqualTo(5);
    Matcher m = URL.matcher(image.get("url").asText());
    assertThat(m.matches()).as(image.get("url").asText()).isTrue();
    assertThat(Integer.parseInt(m.group(1))).isEqualTo(base.getPort());

    HttpResponse<byte[]> b64 = generate(body + ",\"response_format\":\"b64_json\"}");
    assertThat(b64.statusCode()).isEqualTo(200);
    assertThat(tree(b64).get("data").get(0).has("url")).isFalse();
    byte[] expected = Base64.getDecoder().decode(tree(b64).get("data").get(0).get("b64_json").asText());

    HttpResponse<byte[]> file = get(image.get("url").asText()); // no Authorization header
    assertThat(file.statusCode()).isEqualTo(200);
    assertThat(file.headers().firstValue("Content-Type")).hasValue("image/png");
    String cache = file.headers().firstValue("Cache-Control").orElseThrow();
    assertThat(cache).startsWith("private, max-age=");
    assertThat(Long.parseLong(cache.substring("private, max-age=".length()))).isBetween(3500L, 3600L);
    assertThat(file.body()).isEqualTo(expected);
    RgbImage png = OpenAiHttp.decode(file.body()).image();
    assertThat(png.width()).isEqualTo(128);
    assertThat(png.height()).isEqualTo(128);
    // the id without the extension names the same image; the file is in the configured folder
    assertThat(get(image.get("url").asText().replace(".png", "")).body()).isEqualTo(expected);
    try (Stream<Path> files = Files.walk(DIR)) {
      assertThat(files.filter(p -> p.getFileName().toString().equals(m.group(2) + ".png")).toList()).hasSize(1);
    }
  }

  @Test
  void eachImageOfNHasItsOwnUrl() {
    HttpResponse<byte[]> r = generate("{\"prompt\":\"a blue square\",\"size\":\"128x128\",\"steps\":1,\"n\":2,"
        + "\"response_format\":\"url\"}");
    assertThat(r.statusCode()).as(text(r)).isEqualTo(200);
    JsonNode data = tree(r).get("data");
    assertThat(data).hasSize(2);
    assertThat(data.get(0).get("url").asText()).isNotEqualTo(data.get(1).get("url").asText());
    for (JsonNode d : data) {
      assertThat(get(d.get("url").asText()).statusCode()).isEqualTo(200);
    }
  }

  @Test
  void unknownIdsAre404WithTheOpenAiBody() {
    for (String path : new String[] {"/v1/images/files/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA.png",
        "/v1/images/files/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "/v1/images/files/short.png", "/v1/images/files/%2e%2e%2fx"}) {
      HttpResponse<byte[]> r = get(base.resolve(path).toString());
      assertThat(r.statusCode()).as(path).isEqualTo(404);
      if (path.contains("AAAA")) {
        JsonNode e = tree(r).get("error");
        assertThat(e.get("code").asText()).isEqualTo("image_not_found");
        assertThat(e.get("type").asText()).isEqualTo("invalid_request_error");
        assertThat(e.get("message").asText()).contains("unknown or expired");
      }
    }
  }

  @Test
  void forwardedHeadersMakeTheUrl() {
    HttpResponse<byte[]> x = generate("{\"prompt\":\"a red circle\",\"size\":\"128x128\",\"steps\":1,\"response_format\":\"url\"}",
        "X-Forwarded-Proto", "https", "X-Forwarded-Host", "images.example.com", "X-Forwarded-Port", "443");
    assertThat(x.statusCode()).as(text(x)).isEqualTo(200);
    String url = tree(x).get("data").get(0).get("url").asText();
    assertThat(url).matches("https://images\\.example\\.com/v1/images/files/[A-Za-z0-9_-]{32}\\.png");
    // the same image through this server's own address
    String local = base.resolve(URI.create(url).getPath()).toString();
    assertThat(get(local).statusCode()).isEqualTo(200);

    HttpResponse<byte[]> f = generate("{\"prompt\":\"a red circle\",\"size\":\"128x128\",\"steps\":1,\"response_format\":\"url\"}",
        "Forwarded", "proto=https;host=\"fw.example.org:8443\"");
    assertThat(f.statusCode()).as(text(f)).isEqualTo(200);
    assertThat(tree(f).get("data").get(0).get("url").asText())
        .matches("https://fw\\.example\\.org:8443/v1/images/files/[A-Za-z0-9_-]{32}\\.png");
  }

  @Test
  void aHostileHostIsRefusedBeforeAnyGeneration() {
    String body = "{\"prompt\":\"a red circle\",\"size\":\"128x128\",\"steps\":1,\"response_format\":\"url\"}";
    HttpResponse<byte[]> fwd = generate(body, "X-Forwarded-Host", "evil.example/steal?x=");
    assertThat(fwd.statusCode()).as(text(fwd)).isEqualTo(400);
    assertThat(tree(fwd).get("error").get("message").asText()).contains("not host[:port]")
        .contains("quarkus.ldm4j.images.public-base-url");

    byte[] json = body.getBytes(StandardCharsets.UTF_8);
    for (String host : new String[] {"evil.example/x", "<script>", "a b"}) {
      Map.Entry<Integer, String> r = OpenAiHttp.raw(base, "POST", "/v1/images/generations",
          "Host: " + host + "\r\nAuthorization: Bearer " + KEY + "\r\nContent-Type: application/json\r\n", json);
      assertThat(r.getKey()).as(host + ": " + r.getValue()).isEqualTo(400);
      assertThat(r.getValue()).doesNotContain("/v1/images/files/");
    }
    // Quarkus' proxy handling parses this Host itself (into evil.example, port 80): nothing after it gets in
    Map.Entry<Integer, String> lenient = OpenAiHttp.raw(base, "POST", "/v1/images/generations",
        "Host: evil.example:80@other\r\nAuthorization: Bearer " + KEY + "\r\nContent-Type: application/json\r\n", json);
    assertThat(lenient.getValue()).doesNotContain("other");
    if (lenient.getKey() == 200) {
      assertThat(lenient.getValue()).containsPattern("\"url\":\"http://evil\\.example/v1/images/files/[A-Za-z0-9_-]{32}\\.png\"");
    } else {
      assertThat(lenient.getKey()).isEqualTo(400);
    }
    // a well-formed Host is used as it is
    Map.Entry<Integer, String> ok = OpenAiHttp.raw(base, "POST", "/v1/images/generations",
        "Host: Example.COM:8080\r\nAuthorization: Bearer " + KEY + "\r\nContent-Type: application/json\r\n", json);
    assertThat(ok.getKey()).as(ok.getValue()).isEqualTo(200);
    assertThat(ok.getValue()).contains("\"url\":\"http://example.com:8080/v1/images/files/");
  }

  @Test
  void editsAnswerUrlsToo() {
    HttpResponse<byte[]> r = send(auth(OpenAiHttp.multipart(base.resolve("/v1/images/edits"),
        Map.of("prompt", "a red circle", "steps", "2", "response_format", "url"),
        Map.of("image", OpenAiHttp.png(128, 128, 0, 0, 255)))));
    assertThat(r.statusCode()).as(text(r)).isEqualTo(200);
    HttpResponse<byte[]> file = get(tree(r).get("data").get(0).get("url").asText());
    assertThat(file.statusCode()).isEqualTo(200);
    assertThat(OpenAiHttp.decode(file.body()).image().width()).isEqualTo(128);
  }

  @Test
  void theOtherEndpointsStillNeedTheKeyAndOtherFormatsAre400() {
    HttpResponse<byte[]> noKey = send(json(base.resolve("/v1/images/generations"), "{\"prompt\":\"x\"}"));
    assertThat(noKey.statusCode()).isEqualTo(401);
    assertThat(send(HttpRequest.newBuilder(base.resolve("/v1/models")).GET()).statusCode()).isEqualTo(401);
    // a dot segment out of the files folder is the normalised path, which needs the key
    assertThat(send(HttpRequest.newBuilder(URI.create(base + "v1/images/files/../../models")).GET()).statusCode())
        .isEqualTo(401);
    HttpResponse<byte[]> jpeg = generate("{\"prompt\":\"x\",\"response_format\":\"jpeg\"}");
    assertThat(jpeg.statusCode()).isEqualTo(400);
    assertThat(tree(jpeg).get("error").get("param").asText()).isEqualTo("response_format");
    assertThat(tree(jpeg).get("error").get("message").asText()).contains("use 'b64_json' or 'url'");
  }
}
