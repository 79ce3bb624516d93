package io.github.ldm4j.quarkus.deployment;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.ldm4j.image.PngCodec;
import io.github.ldm4j.image.RgbImage;
import io.quarkus.test.QuarkusUnitTest;
import io.quarkus.test.common.http.TestHTTPResource;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.logging.Level;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * AUTOMATIC1111's txt2img/img2img semantics on the 128 px shapes model: {@code n_iter} ×
 * {@code batch_size} with A1111's seed assignment, variation seeds, {@code sampler_index}, the
 * {@code info} JSON string, ignored-and-reported and refused fields, {@code send_images}, and the
 * img2img resize modes. The expectations are A1111's (modules/processing.py: process_images_inner's
 * all_seeds / all_subseeds, Processed.js's keys; modules/api/api.py's send_images).
 */
class A1111SemanticsTest {

  @RegisterExtension
  static final QuarkusUnitTest APP = new QuarkusUnitTest()
      .withApplicationRoot(jar -> jar.addClass(TestModels.class))
      .overrideConfigKey("quarkus.ldm4j.model.path", TestModels.shapes128())
      .setLogRecordPredicate(r -> r.getLoggerName().endsWith("IgnoredFieldLog") && r.getLevel().intValue() >= Level.INFO.intValue())
      .assertLogRecords(records -> assertThat(records.stream().filter(r -> r.getMessage().contains("tiling")
          || (r.getParameters() != null && List.of(r.getParameters()).contains("tiling"))).count())
          .as("tiling is logged once for txt2img, however often it is sent").isEqualTo(1));

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient CLIENT = HttpClient.newHttpClient();
  private static final String BASE = "\"prompt\":\"a red circle\",\"steps\":2,\"width\":128,\"height\":128,\"sampler_name\":\"Euler\"";

  @TestHTTPResource("/") URI base;

  private HttpResponse<String> post(String path, String body) throws Exception {
    return CLIENT.send(HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofMinutes(3))
        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private JsonNode ok(String path, String body) throws Exception {
    HttpResponse<String> r = post(path, body);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return JSON.readTree(r.body());
  }

  private JsonNode txt2img(String extra) throws Exception {
    return ok("/sdapi/v1/txt2img", "{" + BASE + extra + "}");
  }

  private String error(String path, String body) throws Exception {
    HttpResponse<String> r = post(path, body);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
    return JSON.readTree(r.body()).get("error").get("param").asText();
  }

  private static JsonNode info(JsonNode response) throws Exception {
    return JSON.readTree(response.get("info").asText());
  }

  private static List<Long> longs(JsonNode array) {
    List<Long> out = new ArrayList<>();
    array.forEach(v -> out.add(v.asLong()));
    return out;
  }

  private static PngCodec.Decoded png(JsonNode b64) {
    return PngCodec.decode(Base64.getDecoder().decode(b64.asText()), 1 << 24);
  }

  private static String pngBase64(RgbImage image) {
    return Base64.getEncoder().encodeToString(PngCodec.encode(image, Optional.empty()));
  }

  @Test
  void nIterBatchesTakeConsecutiveSeedsAndAnswerTogether() throws Exception {
    JsonNode r = txt2img(",\"seed\":10,\"n_iter\":2,\"batch_size\":2,\"subseed\":100");
    assertThat(r.get("images")).hasSize(4);
    JsonNode info = info(r);
    // A1111: all_seeds = seed + x and all_subseeds = subseed + x over all n_iter × batch_size images
    assertThat(longs(info.get("all_seeds"))).containsExactly(10L, 11L, 12L, 13L);
    assertThat(longs(info.get("all_subseeds"))).containsExactly(100L, 101L, 102L, 103L);
    assertThat(info.get("seed").asLong()).isEqualTo(10);
    assertThat(info.get("batch_size").asInt()).isEqualTo(2);
    assertThat(info.get("all_prompts")).hasSize(4);
    // infotexts are the PNGs' own parameters text
    for (int i = 0; i < 4; i++) {
      assertThat(info.get("infotexts").get(i).asText()).isEqualTo(png(r.get("images").get(i)).parameters().orElseThrow())
          .contains("Seed: " + (10 + i));
    }
    // the second batch's first image is seed 12's image, as generated alone
    JsonNode alone = txt2img(",\"seed\":12");
    assertThat(png(r.get("images").get(2)).image()).isEqualTo(png(alone.get("images").get(0)).image());
    assertThat(r.get("parameters").get("n_iter").asInt()).isEqualTo(2);
  }

  @Test
  void randomSeedIsReportedInAllSeeds() throws Exception {
    JsonNode info = info(txt2img(",\"seed\":-1,\"batch_size\":2"));
    long seed = info.get("seed").asLong();
    assertThat(seed).isBetween(0L, (1L << 32) - 1);
    assertThat(longs(info.get("all_seeds"))).containsExactly(seed, seed + 1);
  }

  @Test
  void variationSeedsAreA1111s() throws Exception {
    String v = ",\"seed\":5,\"subseed\":7,\"subseed_strength\":0.5,\"batch_size\":2";
    JsonNode a = txt2img(v);
    JsonNode info = info(a);
    // with a variation every image keeps the seed; the subseeds count up
    assertThat(longs(info.get("all_seeds"))).containsExactly(5L, 5L);
    assertThat(longs(info.get("all_subseeds"))).containsExactly(7L, 8L);
    assertThat(info.get("subseed_strength").asDouble()).isEqualTo(0.5);
    assertThat(info.get("infotexts").get(1).asText()).contains("Seed: 5,").contains("Variation seed: 8, Variation seed strength: 0.5");
    // deterministic (the noise itself is checked against A1111's ImageRNG in generate's InitialNoiseTest: the
    // shapes model's denoiser lands on the prompt's image from almost any noise, so images here barely see it)
    assertThat(png(txt2img(v).get("images").get(0)).image()).isEqualTo(png(a.get("images").get(0)).image());
    // strength 1 is the subseed's noise alone: seed 7's image (Euler is deterministic after the first noise)
    RgbImage full = png(txt2img(",\"seed\":5,\"subseed\":7,\"subseed_strength\":1").get("images").get(0)).image();
    RgbImage seven = png(txt2img(",\"seed\":7").get("images").get(0)).image();
    assertThat(full.meanAbsoluteError(seven)).isLessThan(0.5);
  }

  @Test
  void samplerIndexIsTheOldName() throws Exception {
    String base = "\"prompt\":\"a red circle\",\"steps\":2,\"width\":128,\"height\":128,\"seed\":1";
    JsonNode info = info(ok("/sdapi/v1/txt2img", "{" + base + ",\"sampler_index\":\"Euler a\"}"));
    assertThat(info.get("sampler_name").asText()).isEqualTo("euler_ancestral");
    info = info(ok("/sdapi/v1/txt2img", "{" + base + ",\"sampler_index\":\"Euler a\",\"sampler_name\":\"DDIM\"}"));
    assertThat(info.get("sampler_name").asText()).isEqualTo("ddim");
    assertThat(error("/sdapi/v1/txt2img", "{" + base + ",\"sampler_index\":\"Eular\"}")).isEqualTo("sampler_index");
  }

  @Test
  void infoHasA1111sKeysAndTheIgnoredFields() throws Exception {
    // SillyTavern's own keys are no A1111 fields: ignored; A1111 fields at their neutral value: silent
    JsonNode r = txt2img(",\"seed\":3,\"url\":\"http://x\",\"auth\":\"u:p\",\"restore_faces\":false,\"tiling\":null,"
        + "\"styles\":[],\"eta\":0,\"save_images\":false,\"alwayson_scripts\":{\"controlnet\":{\"args\":[]}},\"script_args\":[]");
    JsonNode info = info(r);
    for (String key : List.of("prompt", "all_prompts", "negative_prompt", "all_negative_prompts", "seed", "all_seeds",
        "subseed", "all_subseeds", "subseed_strength", "width", "height", "sampler_name", "cfg_scale", "steps",
        "batch_size", "restore_faces", "face_restoration_model", "sd_model_name", "sd_model_hash", "seed_resize_from_w",
        "seed_resize_from_h", "denoising_strength", "extra_generation_params", "index_of_first_image", "infotexts",
        "styles", "job_timestamp", "clip_skip", "is_using_inpainting_conditioning", "version", "ignored_fields")) {
      assertThat(info.has(key)).as(key).isTrue();
    }
    assertThat(info.get("ignored_fields")).isEmpty();
    assertThat(info.get("width").asInt()).isEqualTo(128);
    assertThat(r.get("parameters").get("seed").asLong()).isEqualTo(3);
    assertThat(r.get("parameters").has("url")).isFalse();

    // asked-for features ldm4j lacks: the image is still made, the fields are listed
    for (int i = 0; i < 3; i++) {
      JsonNode asked = txt2img(",\"restore_faces\":true,\"tiling\":true,\"save_images\":true,\"styles\":[\"mine\"]");
      assertThat(asked.get("images")).hasSize(1);
      assertThat(info(asked).get("ignored_fields")).extracting(JsonNode::asText)
          .containsExactly("styles", "restore_faces", "tiling", "save_images");
    }
  }

  @Test
  void whatCannotBeIgnoredIs400NamingTheField() throws Exception {
    String t = "/sdapi/v1/txt2img";
    assertThat(error(t, "{" + BASE + ",\"alwayson_scripts\":{\"ADetailer\":{\"args\":[]},\"controlnet\":{\"args\":[{\"enabled\":true}]}}}"))
        .isEqualTo("alwayson_scripts.controlnet");
    assertThat(error(t, "{" + BASE + ",\"script_name\":\"x/y/z plot\"}")).isEqualTo("script_name");
    assertThat(error(t, "{" + BASE + ",\"infotext\":\"a cat\\nSteps: 20\"}")).isEqualTo("infotext");
    assertThat(error(t, "{" + BASE + ",\"refiner_checkpoint\":\"sdxl_refiner\"}")).isEqualTo("refiner_checkpoint");
    // wrong types on known fields, implemented or not
    assertThat(error(t, "{" + BASE + ",\"restore_faces\":\"yes\"}")).isEqualTo("restore_faces");
    assertThat(error(t, "{" + BASE + ",\"n_iter\":\"2\"}")).isEqualTo("n_iter");
    assertThat(error(t, "{" + BASE + ",\"styles\":\"anime\"}")).isEqualTo("styles");
    assertThat(error(t, "{" + BASE + ",\"send_images\":1}")).isEqualTo("send_images");
    // values out of range
    assertThat(error(t, "{" + BASE + ",\"n_iter\":0}")).isEqualTo("n_iter");
    assertThat(error(t, "{" + BASE + ",\"n_iter\":2,\"force_task_id\":\"batches\"}")).isEqualTo("n_iter");
    // a seed resize beyond the size limits is refused before any noise is drawn
    assertThat(error(t, "{" + BASE + ",\"seed_resize_from_w\":65536,\"seed_resize_from_h\":64}"))
        .isEqualTo("seed_resize_from_w");
    assertThat(error(t, "{" + BASE + ",\"subseed_strength\":1.5}")).isEqualTo("subseed_strength");
    assertThat(error(t, "{" + BASE + ",\"seed_resize_from_w\":4,\"seed_resize_from_h\":64}")).isEqualTo("seed_resize_from_w");
  }

  @Test
  void sendImagesFalseAnswersWithoutImages() throws Exception {
    JsonNode r = txt2img(",\"seed\":2,\"send_images\":false");
    assertThat(r.get("images")).isEmpty();
    assertThat(info(r).get("all_seeds")).hasSize(1);
  }

  @Test
  void seedResizeIsWrittenAsA1111Writes() throws Exception {
    JsonNode r = txt2img(",\"seed\":4,\"seed_resize_from_w\":256,\"seed_resize_from_h\":64");
    assertThat(info(r).get("infotexts").get(0).asText()).contains("Seed resize from: 256x64");
    assertThat(info(r).get("seed_resize_from_w").asInt()).isEqualTo(256);
    // one of them ≤ 0: no seed resize, as A1111
    assertThat(info(txt2img(",\"seed\":4,\"seed_resize_from_w\":256,\"seed_resize_from_h\":-1")).get("infotexts").get(0)
        .asText()).doesNotContain("Seed resize from");
  }

  private static RgbImage pattern(int w, int h) {
    byte[] rgb = new byte[w * h * 3];
    for (int i = 0; i < rgb.length; i++) {
      rgb[i] = (byte) (i * 7);
    }
    return new RgbImage(w, h, rgb);
  }

  @Test
  void img2imgBringsTheInitImageToWidthAndHeightByResizeMode() throws Exception {
    String init = pngBase64(pattern(96, 128));
    byte[] white = new byte[96 * 128 * 3];
    java.util.Arrays.fill(white, (byte) 255);
    String mask = pngBase64(new RgbImage(96, 128, white));
    String strength = "\"prompt\":\"a red circle\",\"steps\":2,\"seed\":1,\"denoising_strength\":0.5";
    String common = strength + ",\"init_images\":[\"" + init + "\"]";
    // no width/height: the init image's size
    JsonNode same = ok("/sdapi/v1/img2img", "{" + strength + ",\"init_images\":[\"" + pngBase64(pattern(128, 128)) + "\"]}");
    assertThat(png(same.get("images").get(0)).image().width()).isEqualTo(128);
    // the model runs 128x128 only: a 96x128 init image without width/height is refused naming it
    assertThat(error("/sdapi/v1/img2img", "{" + common + "}")).isEqualTo("init_images");
    for (int mode = 0; mode <= 3; mode++) {
      JsonNode r = ok("/sdapi/v1/img2img", "{" + common + ",\"width\":128,\"height\":128,\"resize_mode\":" + mode
          + ",\"mask\":\"" + mask + "\"}");
      RgbImage out = png(r.get("images").get(0)).image();
      assertThat(out.width()).as("mode " + mode).isEqualTo(128);
      assertThat(out.height()).isEqualTo(128);
      assertThat(info(r).get("denoising_strength").asDouble()).isEqualTo(0.5);
      assertThat(info(r).get("ignored_fields")).extracting(JsonNode::asText)
          .isEqualTo(mode == 3 ? List.of("resize_mode") : List.of());
    }
    assertThat(error("/sdapi/v1/img2img", "{" + common + ",\"resize_mode\":4}")).isEqualTo("resize_mode");
    assertThat(error("/sdapi/v1/img2img", "{" + common + ",\"inpainting_mask_invert\":2}")).isEqualTo("inpainting_mask_invert");
    assertThat(error("/sdapi/v1/img2img", "{" + common + ",\"mask_blur\":\"4\"}")).isEqualTo("mask_blur");
    JsonNode blurred = ok("/sdapi/v1/img2img", "{" + common + ",\"width\":128,\"height\":128,\"mask\":\"" + mask + "\",\"mask_blur\":4,\"inpainting_fill\":1}");
    assertThat(info(blurred).get("ignored_fields")).extracting(JsonNode::asText).containsExactly("mask_blur");
  }
}
