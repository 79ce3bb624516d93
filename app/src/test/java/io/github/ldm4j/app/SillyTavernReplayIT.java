package io.github.ldm4j.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SillyTavern's "SD WebUI (AUTOMATIC1111)" image source, replayed exactly against {@code ./ldm4j serve
 * --api-auth st-user:st-pass}: repository {@code SillyTavern/SillyTavern} at commit {@code
 * ba6f7b7a98cf7a5eaf4f0e81da9779a9a668ced4}, the server side {@code src/endpoints/stable-diffusion.js}
 * (which makes the HTTP requests) driven by {@code public/scripts/extensions/stable-diffusion/index.js}
 * with its default settings. Every request carries {@code Authorization: Basic base64(auth)} ({@code
 * getBasicAuthHeader} of {@code src/util.js}, the user's "auth" field {@code user:password}).
 *
 * <ol>
 *   <li>"Connect" ({@code validateAutoUrl} → {@code /ping}): {@code GET /sdapi/v1/options}; reads only the status.
 *   <li>{@code loadSettingOptions}, all at once: {@code GET /sdapi/v1/samplers} (reads each {@code name});
 *       {@code GET /sdapi/v1/options} ({@code /get-model}: reads {@code sd_model_checkpoint}); {@code GET
 *       /sdapi/v1/sd-models} (reads each {@code title}); {@code GET /sdapi/v1/upscalers} and {@code GET
 *       /sdapi/v1/latent-upscale-modes} (each {@code name}; the latent ones are spliced in after the first
 *       upscaler, "None"); {@code GET /sdapi/v1/schedulers} (each {@code name}); {@code GET /sdapi/v1/sd-vae}
 *       (each {@code model_name}).
 *   <li>Choosing a model ({@code /set-model}): {@code POST /sdapi/v1/options} with {@code Content-Type:
 *       application/json} and {@code {"sd_model_checkpoint": <title>}}; reads only the status; then {@code GET
 *       /sdapi/v1/progress} until {@code progress == 0.0 && state.job_count === 0} (at most 10 polls).
 *   <li>Generating ({@code generateAutoImage} → {@code /generate}): {@code POST /sdapi/v1/txt2img} with the
 *       front end's whole body forwarded as it is, {@code url} and {@code auth} included (body: {@code
 *       clients/sillytavern/txt2img.json}, the default settings: DDIM, normal, 20 steps, CFG 7, 512x512, hires
 *       fields off, {@code override_settings.CLIP_stop_at_last_layers} 1, no seed (-1 is left out), no VAE (none
 *       listed)); reads {@code images[0]} as a PNG.
 *   <li>When its own client goes away mid-generation: {@code POST /sdapi/v1/interrupt} with no body and only the
 *       {@code Authorization} header; reads nothing.
 * </ol>
 */
class SillyTavernReplayIT {

  private static final String AUTH = "st-user:st-pass";
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path work;

  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(5)).build();

  private static String authorization() {
    return "Basic " + Base64.getEncoder().encodeToString(AUTH.getBytes(StandardCharsets.UTF_8));
  }

  private HttpResponse<String> get(ServeProcess serve, String path) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create(serve.base() + path)).header("Authorization", authorization())
        .GET().build(), HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> post(ServeProcess serve, String path, String json) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(serve.base() + path)).header("Authorization", authorization());
    if (json == null) {
      b.POST(HttpRequest.BodyPublishers.noBody());
    } else {
      b.header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json));
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  /** {@code data.map(x => x[field])} of an ok answer, as the endpoint functions read it. */
  private static List<String> map(HttpResponse<String> r, String field) throws Exception {
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    List<String> out = new ArrayList<>();
    for (JsonNode x : JSON.readTree(r.body())) {
      assertThat(x.get(field).isTextual()).as("%s of %s", field, x).isTrue();
      out.add(x.get(field).asText());
    }
    return out;
  }

  private static String resource(String name) throws Exception {
    try (InputStream in = SillyTavernReplayIT.class.getResourceAsStream("/clients/sillytavern/" + name)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  @Test
  void connectListChooseAModelGenerateAndInterrupt() throws Exception {
    try (ServeProcess serve = ServeProcess.start(work, List.of(), List.of("--api-auth", AUTH))) {
      // 1. ping
      assertThat(get(serve, "/sdapi/v1/options").statusCode()).isEqualTo(200);

      // 2. the lists
      List<String> samplers = map(get(serve, "/sdapi/v1/samplers"), "name");
      assertThat(samplers).contains("DDIM", "Euler a", "DPM++ 2M");
      HttpResponse<String> options = get(serve, "/sdapi/v1/options");
      assertThat(options.statusCode()).isEqualTo(200);
      String current = JSON.readTree(options.body()).get("sd_model_checkpoint").asText();
      List<String> titles = map(get(serve, "/sdapi/v1/sd-models"), "title");
      assertThat(titles).contains(current);
      List<String> upscalers = map(get(serve, "/sdapi/v1/upscalers"), "name");
      List<String> latent = map(get(serve, "/sdapi/v1/latent-upscale-modes"), "name");
      upscalers.addAll(1, latent);
      assertThat(upscalers).startsWith("None", "Latent").contains("Lanczos");
      assertThat(map(get(serve, "/sdapi/v1/schedulers"), "name")).contains("normal", "karras");
      assertThat(map(get(serve, "/sdapi/v1/sd-vae"), "model_name")).isEmpty();

      // 3. choose the model, then wait until it is loaded
      assertThat(post(serve, "/sdapi/v1/options", "{\"sd_model_checkpoint\":" + JSON.writeValueAsString(titles.getFirst())
          + "}").statusCode()).isEqualTo(200);
      boolean idle = false;
      for (int attempt = 0; attempt < 10 && !idle; attempt++) {
        JsonNode p = JSON.readTree(get(serve, "/sdapi/v1/progress").body());
        idle = p.get("progress").asDouble() == 0.0 && p.get("state").get("job_count").asInt() == 0
            && p.get("state").get("job_count").isInt();
      }
      assertThat(idle).as("idle within 10 polls").isTrue();

      // 4. generate
      HttpResponse<String> r = post(serve, "/sdapi/v1/txt2img", resource("txt2img.json"));
      assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
      String image = JSON.readTree(r.body()).get("images").get(0).asText();
      byte[] png = Base64.getDecoder().decode(image);
      assertThat(png).startsWith(0x89, 'P', 'N', 'G');
      Function<Integer, Integer> be = i -> ((png[i] & 0xff) << 24) | ((png[i + 1] & 0xff) << 16) | ((png[i + 2] & 0xff) << 8)
          | (png[i + 3] & 0xff);
      assertThat(be.apply(16)).as("IHDR width").isEqualTo(512);
      assertThat(be.apply(20)).as("IHDR height").isEqualTo(512);

      // 5. interrupt (SillyTavern reads nothing of the answer)
      assertThat(post(serve, "/sdapi/v1/interrupt", null).statusCode()).isEqualTo(200);
    }
  }
}
