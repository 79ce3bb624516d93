package io.github.ldm4j.quarkus.runtime.rest;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.net.URI;
import java.util.Locale;

/**
 * The image URLs of {@code response_format: "url"} built from what a client sends ({@link
 * OpenAiImageFilesResource#filesUrl(String, String, String, String)}: scheme, host — the {@code Host}
 * header or a forwarded host — and path) on arbitrary input: the only allowed outcomes are an {@link
 * ApiException} 400 or an absolute http(s) URL with that host, without user info, query or fragment,
 * ending in {@code /images/files/}, so that nothing a client sends can point the URL elsewhere. Any
 * other exception, a hang or running out of memory is a finding.
 *
 * <p>A plain {@code mvn verify} runs this in regression mode over the committed corpus ({@code
 * src/test/resources/io/github/ldm4j/quarkus/runtime/rest/ImageUrlsFuzzTestInputs/buildFilesUrls/}).
 * To fuzz, see quarkus-extension/README.md.
 */
class ImageUrlsFuzzTest {

  @FuzzTest(maxDuration = "5m")
  void buildFilesUrls(FuzzedDataProvider data) {
    String scheme = data.pickValue(new String[] {"http", "https", "HTTP", "ftp", ""});
    String host = data.consumeBoolean() ? null : data.consumeString(300);
    String sent = data.consumeBoolean() ? null : data.consumeBoolean() ? host : data.consumeString(300);
    String path = data.consumeRemainingAsString();
    String url;
    try {
      url = OpenAiImageFilesResource.filesUrl(scheme, host, sent, path);
    } catch (ApiException expected) {
      assertThat(expected.status()).isEqualTo(400);
      assertThat(expected.getMessage()).contains("quarkus.ldm4j.images.public-base-url");
      return;
    }
    URI u = URI.create(url);
    assertThat(u.getScheme()).isIn("http", "https");
    assertThat(u.getHost()).isNotNull();
    assertThat(host.toLowerCase(Locale.ROOT)).startsWith(u.getHost());
    if (sent != null) {
      assertThat(sent).doesNotContain("@", "/", "?", "#", " ");
    }
    assertThat(u.getRawUserInfo()).isNull();
    assertThat(u.getRawQuery()).isNull();
    assertThat(u.getRawFragment()).isNull();
    assertThat(u.getRawPath()).endsWith("/images/files/");
  }
}
