package io.github.ldm4j.quarkus.deployment;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.ldm4j.demo.ShapesModel;
import io.github.ldm4j.demo.ShapesOptions;
import io.github.ldm4j.generate.HiresUpscaler;
import io.github.ldm4j.image.PngCodec;
import io.quarkus.test.QuarkusUnitTest;
import io.quarkus.test.common.http.TestHTTPResource;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The hires fix over HTTP on the demo model (128 px shapes, {@link ShapesOptions.Sizes#ANY any size} that is a multiple of 8):
 * AUTOMATIC1111's {@code enable_hr} / {@code hr_*} fields of {@code POST /sdapi/v1/txt2img} and the
 * OpenAI endpoint's {@code hires_*} extension fields: the output size, the steps run (counted on the
 * task's progress stream: both passes' steps are numbered together), A1111's info keys and the
 * images' parameters text, and the 400s naming the field.
 */
class HiresApiTest {

  @RegisterExtension
  static final QuarkusUnitTest APP = new QuarkusUnitTest()
      .withApplicationRoot(jar -> jar.addClass(TestModels.class))
      .overrideConfigKey("quarkus.ldm4j.model.path", anySize128())
      .overrideConfigKey("quarkus.ldm4j.defaults.width", "128")
      .overrideConfigKey("quarkus.ldm4j.defaults.height", "128")
      .overrideConfigKey("quarkus.ldm4j.limits.max-width", "256")
      .overrideConfigKey("quarkus.ldm4j.limits.max-height", "256");

  @TestHTTPResource("/") URI base;

  /** The demo model at 128 px taking any size that is a multiple of 8, in {@code target/test-models/shapes-any-128}. */
  static synchronized String anySize128() {
    Path dir = Path.of("target", "test-models", "shapes-any-128").toAbsolutePath();
    if (!Files.isRegularFile(dir.resolve("model_index.json"))) {
      ShapesModel.write(dir, ShapesOptions.demo().withImageSize(128));
    }
    return dir.toString();
  }

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient CLIENT = HttpClient.newHttpClient();

  private HttpResponse<String> post(String path, String body) throws Exception {
    return CLIENT.send(HttpRequest.newBuilder(base.resolve(path)).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
  }

  private JsonNode ok(HttpResponse<String> r) throws Exception {
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return JSON.readTree(r.body());
  }

  private JsonNode error(HttpResponse<String> r) throws Exception {
    assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
    return JSON.readTree(r.body()).get("error");
  }

  private static PngCodec.Decoded png(String b64) {
    return PngCodec.decode(Base64.getDecoder().decode(b64), 1 << 24);
  }

  /** The step events of a finished task: {@code [step, total]} each. */
  private List<int[]> steps(String taskId) throws Exception {
    String events = CLIENT.send(HttpRequest.newBuilder(base.resolve("/ldm4j/progress/" + taskId)).GET().build(),
        HttpResponse.BodyHandlers.ofString()).body();
    List<int[]> steps = new ArrayList<>();
    for (String line : events.split("\n")) {
      if (line.startsWith("data:")) {
        JsonNode e = JSON.readTree(line.substring(5));
        if (e.get("event").asText().equals("step")) {
          steps.add(new int[] {e.get("step").asInt(), e.get("total").asInt()});
        }
      }
    }
    return steps;
  }

  private static String txt2img(String task, String extra) {
    return "{\"prompt\":\"a red circle\",\"width\":64,\"height\":64,\"steps\":4,\"seed\":3,\"sampler_name\":\"Euler\","
        + "\"force_task_id\":\"" + task + "\"" + extra + "}";
  }

  @Test
  void a1111ScaleTwoDoublesTheSizeAndRunsTheSecondPass() throws Exception {
    String task = "hires-" + UUID.randomUUID();
    JsonNode body = ok(post("/sdapi/v1/txt2img", txt2img(task, ",\"enable_hr\":true,\"hr_scale\":2")));
    PngCodec.Decoded image = png(body.get("images").get(0).asText());
    assertThat(image.image().width()).isEqualTo(128);
    assertThat(image.image().height()).isEqualTo(128);
    // A1111's defaults: Latent, second-pass steps as the first, strength 0.75; Size is the first pass's
    assertThat(image.parameters().orElseThrow()).contains("Steps: 4,", "Size: 64x64,", "Denoising strength: 0.75,",
        "Hires upscale: 2,", "Hires upscaler: Latent,").doesNotContain("Hires steps");
    JsonNode info = JSON.readTree(body.get("info").asText());
    assertThat(info.get("enable_hr").asBoolean()).isTrue();
    assertThat(info.get("denoising_strength").asDouble()).isEqualTo(0.75);
    assertThat(info.get("extra_generation_params").toString())
        .isEqualTo("{\"Schedule type\":\"leading\",\"Denoising strength\":0.75,\"Hires upscale\":2.0,\"Hires upscaler\":\"Latent\"}");
    // 4 first-pass steps, then 4 second-pass steps (hr_second_pass_steps 0 = as many), numbered together
    List<int[]> steps = steps(task);
    assertThat(steps).hasSize(8);
    assertThat(steps.getLast()).containsExactly(8, 8);
  }

  @Test
  void a1111ResizeAndSecondPassSteps() throws Exception {
    String task = "hires-" + UUID.randomUUID();
    JsonNode body = ok(post("/sdapi/v1/txt2img", txt2img(task,
        ",\"enable_hr\":true,\"hr_resize_x\":96,\"hr_resize_y\":0,\"hr_upscaler\":\"Lanczos\",\"hr_second_pass_steps\":3,"
            + "\"denoising_strength\":0.5")));
    PngCodec.Decoded image = png(body.get("images").get(0).asText());
    assertThat(image.image().width()).isEqualTo(96); // hr_resize_y 0: the aspect ratio of 64x64
    assertThat(image.image().height()).isEqualTo(96);
    assertThat(image.parameters().orElseThrow()).contains("Denoising strength: 0.5,", "Hires resize: 96x0,",
        "Hires steps: 3,", "Hires upscaler: Lanczos,");
    assertThat(JSON.readTree(body.get("info").asText()).get("extra_generation_params").toString()).isEqualTo(
        "{\"Schedule type\":\"leading\",\"Denoising strength\":0.5,\"Hires resize\":\"96x0\",\"Hires steps\":3,\"Hires upscaler\":\"Lanczos\"}");
    List<int[]> steps = steps(task);
    assertThat(steps).hasSize(7);
    assertThat(steps.getLast()).containsExactly(7, 7);

    // both sides: upscaled to cover 128x64 (128x128), then cropped evenly (A1111's calculate_target_resolution)
    JsonNode wide = ok(post("/sdapi/v1/txt2img", txt2img("hires-" + UUID.randomUUID(),
        ",\"enable_hr\":true,\"hr_resize_x\":128,\"hr_resize_y\":64,\"hr_upscaler\":\"Latent (nearest-exact)\"")));
    PngCodec.Decoded w = png(wide.get("images").get(0).asText());
    assertThat(new int[] {w.image().width(), w.image().height()}).containsExactly(128, 64);
  }

  @Test
  void a1111NeutralAndIgnoredFields() throws Exception {
    // without enable_hr the hr_* fields are ignored, as A1111 ignores them
    JsonNode off = ok(post("/sdapi/v1/txt2img", txt2img("hires-" + UUID.randomUUID(),
        ",\"hr_scale\":2,\"hr_upscaler\":\"nope\",\"denoising_strength\":0.3")));
    assertThat(png(off.get("images").get(0).asText()).image().width()).isEqualTo(64);
    JsonNode offInfo = JSON.readTree(off.get("info").asText());
    assertThat(offInfo.has("enable_hr")).isFalse();
    assertThat(offInfo.get("extra_generation_params").has("Hires upscale")).isFalse();
    assertThat(offInfo.get("denoising_strength").isNull()).isTrue();
    // hr_scale 1 is allowed (A1111 does not refuse it): a second pass at the same size; "None" is a Lanczos resize;
    // the second-pass sampler and prompts at their neutral values
    JsonNode same = ok(post("/sdapi/v1/txt2img", txt2img("hires-" + UUID.randomUUID(),
        ",\"enable_hr\":true,\"hr_scale\":1,\"hr_upscaler\":\"None\",\"hr_sampler_name\":\"Use same sampler\","
            + "\"hr_scheduler\":\"\",\"hr_prompt\":\"a red circle\",\"hr_negative_prompt\":\"\"")));
    PngCodec.Decoded image = png(same.get("images").get(0).asText());
    assertThat(image.image().width()).isEqualTo(64);
    assertThat(image.parameters().orElseThrow()).contains("Hires upscale: 1,", "Hires upscaler: Lanczos,");
  }

  @Test
  void a1111BadValuesAre400NamingTheField() throws Exception {
    String t = "hires-" + UUID.randomUUID();
    record Bad(String extra, String param, String says) {}
    for (Bad b : List.of(
        new Bad(",\"enable_hr\":true,\"hr_scale\":0.5", "hr_scale", "[1, 8]"),
        new Bad(",\"enable_hr\":true,\"hr_scale\":9", "hr_scale", "[1, 8]"),
        // 64 x 1.3 = 83: A1111 would floor the latent to 80 px under a "Hires upscale: 1.3" label; refused here
        new Bad(",\"enable_hr\":true,\"hr_scale\":1.3", "hr_scale", "not a multiple of 8"),
        new Bad(",\"enable_hr\":true,\"hr_resize_x\":100", "hr_resize_x", "multiples of 8"),
        new Bad(",\"enable_hr\":true,\"hr_resize_x\":96,\"hr_resize_y\":-8", "hr_resize_y", "multiples of 8"),
        new Bad(",\"enable_hr\":true,\"hr_upscaler\":\"R-ESRGAN 4x+\"", "hr_upscaler", "Latent (bicubic antialiased)"),
        new Bad(",\"enable_hr\":true,\"hr_second_pass_steps\":-1", "hr_second_pass_steps", ">= 0"),
        new Bad(",\"enable_hr\":true,\"denoising_strength\":0", "denoising_strength", "(0, 1]"),
        new Bad(",\"enable_hr\":true,\"denoising_strength\":1.5", "denoising_strength", "(0, 1]"),
        new Bad(",\"enable_hr\":true,\"hr_sampler_name\":\"DDIM\"", "hr_sampler_name", "first pass's sampler"),
        new Bad(",\"enable_hr\":true,\"hr_prompt\":\"a blue square\"", "hr_prompt", "the prompt"),
        new Bad(",\"enable_hr\":true,\"hr_scale\":\"2\"", "hr_scale", "hr_scale"),
        // 256 x 2: the second pass is outside the limits (max-width 256)
        new Bad(",\"enable_hr\":true,\"hr_scale\":2,\"width\":256", null, "256"))) {
      String body = b.extra().contains("\"width\":256")
          ? "{\"prompt\":\"a red circle\",\"width\":256,\"height\":256,\"steps\":4,\"enable_hr\":true,\"hr_scale\":2}"
          : txt2img(t, b.extra());
      JsonNode e = error(post("/sdapi/v1/txt2img", body));
      assertThat(e.get("param").isNull() ? null : e.get("param").asText()).as(b.extra()).isEqualTo(b.param());
      assertThat(e.get("message").asText()).as(b.extra()).contains(b.says());
    }
    JsonNode upscaler = error(post("/sdapi/v1/txt2img", txt2img(t, ",\"enable_hr\":true,\"hr_upscaler\":\"ESRGAN_4x\"")));
    for (String name : HiresUpscaler.names()) {
      assertThat(upscaler.get("message").asText()).contains(name);
    }
    assertThat(upscaler.get("message").asText()).contains("None");
    // NaN is not JSON: the strict binder refuses it
    assertThat(post("/sdapi/v1/txt2img", txt2img(t, ",\"enable_hr\":true,\"hr_scale\":NaN")).statusCode()).isEqualTo(400);
  }

  @Test
  void openAiHiresExtensionFields() throws Exception {
    String task = "hires-" + UUID.randomUUID();
    JsonNode body = ok(post("/v1/images/generations", "{\"prompt\":\"a red circle\",\"size\":\"64x64\",\"steps\":4,"
        + "\"seed\":3,\"task_id\":\"" + task + "\",\"hires_scale\":2,\"hires_upscaler\":\"Latent (bicubic)\","
        + "\"hires_steps\":2,\"hires_strength\":0.6}"));
    PngCodec.Decoded image = png(body.get("data").get(0).get("b64_json").asText());
    assertThat(new int[] {image.image().width(), image.image().height()}).containsExactly(128, 128);
    assertThat(image.parameters().orElseThrow()).contains("Size: 64x64,", "Denoising strength: 0.6,", "Hires upscale: 2,",
        "Hires steps: 2,", "Hires upscaler: Latent (bicubic),");
    assertThat(steps(task).getLast()).containsExactly(6, 6);

    JsonNode sized = ok(post("/v1/images/generations", "{\"prompt\":\"a red circle\",\"size\":\"64x64\",\"steps\":2,"
        + "\"hires_height\":128}"));
    PngCodec.Decoded s = png(sized.get("data").get(0).get("b64_json").asText());
    assertThat(new int[] {s.image().width(), s.image().height()}).containsExactly(128, 128);

    String base = "{\"prompt\":\"a red circle\",\"size\":\"64x64\",\"steps\":2,";
    record Bad(String fields, String param, String says) {}
    for (Bad b : List.of(
        new Bad("\"hires_steps\":2", "hires_steps", "needs 'hires_scale'"),
        new Bad("\"hires_upscaler\":\"Lanczos\"", "hires_upscaler", "needs 'hires_scale'"),
        new Bad("\"hires_scale\":2,\"hires_width\":128", "hires_scale", "mutually exclusive"),
        new Bad("\"hires_width\":0", "hires_width", "cannot both be 0"),
        new Bad("\"hires_scale\":0", "hires_scale", "[1, 8]"),
        new Bad("\"hires_scale\":2,\"hires_upscaler\":\"SwinIR\"", "hires_upscaler", "Latent (nearest)"),
        new Bad("\"hires_scale\":2,\"hires_strength\":0", "hires_strength", "(0, 1]"),
        new Bad("\"hires_scale\":2,\"hires_steps\":-2", "hires_steps", ">= 0"),
        new Bad("\"hires_width\":132", "hires_width", "multiples of 8"))) {
      JsonNode e = error(post("/v1/images/generations", base + b.fields() + "}"));
      assertThat(e.get("param").asText()).as(b.fields()).isEqualTo(b.param());
      assertThat(e.get("message").asText()).as(b.fields()).contains(b.says());
    }
  }

  @Test
  void theUpscalersAreListed() throws Exception {
    JsonNode list = JSON.readTree(CLIENT.send(HttpRequest.newBuilder(base.resolve("/ldm4j/hires-upscalers")).GET().build(),
        HttpResponse.BodyHandlers.ofString()).body());
    assertThat(list.get("default").asText()).isEqualTo("Latent");
    List<String> names = new ArrayList<>();
    list.get("upscalers").forEach(u -> names.add(u.get("name").asText()));
    assertThat(names).isEqualTo(HiresUpscaler.names());
    assertThat(list.get("upscalers").get(0).get("latent").asBoolean()).isTrue();
    assertThat(list.get("upscalers").get(names.indexOf("Lanczos")).get("latent").asBoolean()).isFalse();
  }
}
