package io.github.ldm4j.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.net.URI;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The AUTOMATIC1111 look-over endpoints on the shapes model: {@code options} (read, written whole or
 * in part, bad values refused), {@code schedulers}, {@code upscalers}, {@code latent-upscale-modes},
 * {@code cmd-flags} and {@code png-info}.
 */
@QuarkusTest
@QuarkusTestResource(ShapesModelResource.class)
class A1111ServerEndpointsTest {

  @TestHTTPResource("/") URI base;

  private static List<String> names(JsonNode array, String field) {
    List<String> out = new ArrayList<>();
    array.forEach(n -> out.add(n.get(field).asText()));
    return out;
  }

  private JsonNode error(HttpResponse<String> r, int status) {
    assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
    return Http.json(r).get("error");
  }

  @Test
  void optionsHaveA1111sKeysWithLdm4jsValues() {
    JsonNode o = Http.json(Http.get(base, "/sdapi/v1/options"));
    assertThat(o.get("sd_model_checkpoint").asText()).isEqualTo("default");
    assertThat(o.get("sd_vae").asText()).isEqualTo("Automatic");
    assertThat(o.get("CLIP_stop_at_last_layers").asInt()).isEqualTo(1);
    assertThat(o.get("samples_format").asText()).isEqualTo("png");
    assertThat(o.get("eta_noise_seed_delta").asLong()).isZero();
    assertThat(o.has("sd_checkpoint_hash")).isTrue();
  }

  @Test
  void theWholeOptionsObjectPostedBackIs200AndClipSkipAppliesToLaterGenerations() throws Exception {
    ObjectNode o = (ObjectNode) Http.json(Http.get(base, "/sdapi/v1/options"));
    o.put("CLIP_stop_at_last_layers", 2);
    o.put("some_other_webui_option", true); // unknown: ignored, reported
    o.put("eta_noise_seed_delta", 31337);
    try {
      HttpResponse<String> set = Http.post(base, "/sdapi/v1/options", o.toString());
      assertThat(set.statusCode()).as(set.body()).isEqualTo(200);
      JsonNode answer = Http.json(set);
      assertThat(answer.get("CLIP_stop_at_last_layers").asInt()).isEqualTo(2);
      JsonNode notApplied = answer.get("ldm4j_not_applied");
      assertThat(notApplied.get("some_other_webui_option").asText()).isEqualTo("not served by ldm4j");
      assertThat(notApplied.get("sd_checkpoint_hash").asText()).isEqualTo("read only");
      assertThat(notApplied.get("eta_noise_seed_delta").asText()).startsWith("stored, not applied");
      assertThat(notApplied.has("CLIP_stop_at_last_layers")).isFalse();
      JsonNode now = Http.json(Http.get(base, "/sdapi/v1/options"));
      assertThat(now.get("CLIP_stop_at_last_layers").asInt()).isEqualTo(2);
      assertThat(now.get("eta_noise_seed_delta").asLong()).isEqualTo(31337);

      // a later generation runs with CLIP skip 2, which the shapes model's text encoder cannot (no per-layer
      // outputs): 422 saying so
      HttpResponse<String> g = Http.post(base, "/sdapi/v1/txt2img", "{\"prompt\":\"a red circle\",\"steps\":2,\"seed\":9}");
      JsonNode e = error(g, 422);
      assertThat(e.get("message").asText()).contains("clip skip 2", "use clip skip 1");
    } finally {
      assertThat(Http.post(base, "/sdapi/v1/options", "{\"CLIP_stop_at_last_layers\":1,\"eta_noise_seed_delta\":0}")
          .statusCode()).isEqualTo(200);
    }
  }

  @Test
  void pngInfoReadsTheParametersOfAGeneratedImage() {
    HttpResponse<String> g = Http.post(base, "/sdapi/v1/txt2img",
        "{\"prompt\":\"a red circle\",\"negative_prompt\":\"blue, green\",\"steps\":2,\"seed\":9}");
    assertThat(g.statusCode()).as(g.body()).isEqualTo(200);
    String png = Http.json(g).get("images").get(0).asText();
    HttpResponse<String> info = Http.post(base, "/sdapi/v1/png-info", "{\"image\":\"" + png + "\"}");
    assertThat(info.statusCode()).as(info.body()).isEqualTo(200);
    JsonNode i = Http.json(info);
    assertThat(i.get("info").asText()).startsWith("a red circle\nNegative prompt: blue, green\nSteps: 2,").contains("Seed: 9");
    assertThat(i.get("items").size()).isZero();
    JsonNode p = i.get("parameters");
    assertThat(p.get("Prompt").asText()).isEqualTo("a red circle");
    assertThat(p.get("Negative prompt").asText()).isEqualTo("blue, green");
    assertThat(p.get("Steps").asText()).isEqualTo("2");
    assertThat(p.get("Seed").asText()).isEqualTo("9");
    assertThat(p.get("Size-1").asText()).isEqualTo("128");
    assertThat(p.get("Size-2").asText()).isEqualTo("128");
    assertThat(p.get("Version").asText()).isEqualTo("ldm4j");
  }

  @Test
  void badOptionValuesAre400NamingTheOptionAndChangeNothing() {
    JsonNode e = error(Http.post(base, "/sdapi/v1/options", "{\"CLIP_stop_at_last_layers\":3,\"samples_format\":\"jpg\"}"), 400);
    assertThat(e.get("param").asText()).isEqualTo("samples_format");
    assertThat(e.get("message").asText()).contains("PNG only");
    assertThat(Http.json(Http.get(base, "/sdapi/v1/options")).get("CLIP_stop_at_last_layers").asInt()).isEqualTo(1);
    assertThat(error(Http.post(base, "/sdapi/v1/options", "{\"CLIP_stop_at_last_layers\":13}"), 400).get("param").asText())
        .isEqualTo("CLIP_stop_at_last_layers");
    assertThat(error(Http.post(base, "/sdapi/v1/options", "{\"CLIP_stop_at_last_layers\":1.5}"), 400).get("param").asText())
        .isEqualTo("CLIP_stop_at_last_layers");
    assertThat(error(Http.post(base, "/sdapi/v1/options", "{\"eta_noise_seed_delta\":\"x\"}"), 400).get("param").asText())
        .isEqualTo("eta_noise_seed_delta");
    assertThat(error(Http.post(base, "/sdapi/v1/options", "{\"sd_vae\":3}"), 400).get("param").asText())
        .isEqualTo("sd_vae");
    assertThat(error(Http.post(base, "/sdapi/v1/options", "[1]"), 400).get("message").asText()).isNotBlank();
  }

  @Test
  void schedulersUpscalersAndLatentModes() {
    JsonNode s = Http.json(Http.get(base, "/sdapi/v1/schedulers"));
    assertThat(names(s, "name")).startsWith("automatic").contains("karras", "exponential", "sgm_uniform", "normal",
        "simple");
    for (JsonNode n : s) {
      assertThat(n.has("label") && n.has("aliases") && n.has("default_rho") && n.has("need_inner_model")).as(n.toString())
          .isTrue();
      if (n.get("name").asText().equals("karras")) {
        assertThat(n.get("label").asText()).isEqualTo("Karras");
        assertThat(n.get("default_rho").asDouble()).isEqualTo(7.0);
      }
      if (n.get("name").asText().equals("sgm_uniform")) {
        assertThat(n.get("label").asText()).isEqualTo("SGM Uniform");
        assertThat(n.get("need_inner_model").asBoolean()).isTrue();
      }
    }
    JsonNode u = Http.json(Http.get(base, "/sdapi/v1/upscalers"));
    assertThat(names(u, "name")).containsExactly("None", "Lanczos", "Nearest");
    assertThat(u.get(1).has("model_name") && u.get(1).has("model_path") && u.get(1).has("model_url")).isTrue();
    assertThat(u.get(1).get("scale").asDouble()).isEqualTo(4.0);
    assertThat(names(Http.json(Http.get(base, "/sdapi/v1/latent-upscale-modes")), "name")).containsExactly("Latent",
        "Latent (antialiased)", "Latent (bicubic)", "Latent (bicubic antialiased)", "Latent (nearest)",
        "Latent (nearest-exact)");
  }

  @Test
  void cmdFlagsSayWhatIsSetButNoSecret() {
    JsonNode f = Http.json(Http.get(base, "/sdapi/v1/cmd-flags"));
    assertThat(f.get("api").asBoolean()).isTrue();
    assertThat(f.get("api_auth").isNull()).isTrue();
    assertThat(f.get("api_key_set").asBoolean()).isFalse();
    assertThat(f.get("use_cpu").toString()).isEqualTo("[\"all\"]");
    assertThat(f.get("ckpt").asText()).contains("ldm4j-it-shapes");
  }

  @Test
  void pngInfoOfAnImageWithoutParametersAndBadInput() {
    String plain = Base64.getEncoder().encodeToString(ImageEditsTest.datasetPng(
        io.github.ldm4j.demo.ShapeColour.RED, io.github.ldm4j.demo.ShapeKind.CIRCLE));
    HttpResponse<String> r = Http.post(base, "/sdapi/v1/png-info", "{\"image\":\"data:image/png;base64," + plain + "\"}");
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(Http.json(r).get("info").asText()).isEmpty();
    assertThat(Http.json(r).get("parameters").size()).isZero();
    assertThat(error(Http.post(base, "/sdapi/v1/png-info", "{}"), 400).get("param").asText()).isEqualTo("image");
    assertThat(error(Http.post(base, "/sdapi/v1/png-info", "{\"image\":\"aGVsbG8=\"}"), 400).get("param").asText())
        .isEqualTo("image");
    assertThat(error(Http.post(base, "/sdapi/v1/png-info", "{\"image\":\"%%%\"}"), 400).get("param").asText())
        .isEqualTo("image");
  }
}
