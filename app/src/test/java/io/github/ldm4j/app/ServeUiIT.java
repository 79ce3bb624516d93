package io.github.ldm4j.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.ldm4j.checkpoint.safetensors.SafetensorsWriter;
import io.github.ldm4j.tensor.Tensor;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The browser UI ({@code ldm4j-ui}, served at {@code /}) of {@code ./ldm4j serve} with an API key, driven in a
 * real browser: the Node script {@code ui/src/test/playwright/ui.test.mjs} (npm {@code playwright-core}) runs
 * Debian's Chromium headless against the server on the demo model. It enters the key, generates with
 * Ctrl+Enter (live preview, result in the gallery with alt text and parameters), cancels a running generation
 * (while a second tab waits in the queue behind it),
 * inpaints the result, generates with the hires fix, lists a LoRA and an embedding in the pickers and checks the
 * phone-width layout; screenshots go to {@code ldm4j.ui.screenshots}
 * ({@code app/target/ui-screenshots}; {@code -Dldm4j.ui.screenshots=$PWD/docs/ui} refreshes the committed
 * ones). Chromium, Node and npm must be installed ({@code .ci/run} installs them): without them this test
 * fails saying what is missing, it does not skip.
 */
class ServeUiIT {

  private static final String KEY = "ui-test-key-7";
  private static final int CANCEL_STEPS = 500; // the demo model's leading schedule cannot take 1000

  @TempDir Path work;

  private static Path scripts;
  private static String chromium;

  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(5)).build();

  /** Finds Chromium, Node and npm (else fails naming them) and installs playwright-core once ({@code npm ci}). */
  @BeforeAll
  static void browserTools() throws Exception {
    scripts = Path.of(System.getProperty("ldm4j.ui.playwright.dir", "../ui/src/test/playwright")).toAbsolutePath().normalize();
    assertThat(scripts.resolve("ui.test.mjs")).as("the Playwright script").isRegularFile();
    String given = System.getenv("CHROMIUM");
    chromium = given != null && !given.isBlank() ? given : onPath("chromium");
    List<String> missing = new ArrayList<>();
    if (chromium == null || !Files.isExecutable(Path.of(chromium))) {
      missing.add("chromium (Debian: apt-get install chromium; or set CHROMIUM to a Chromium executable)");
    }
    if (onPath("node") == null) {
      missing.add("node (apt-get install nodejs)");
    }
    if (onPath("npm") == null) {
      missing.add("npm (apt-get install npm)");
    }
    assertThat(missing).as("ServeUiIT drives the UI in a real browser and needs these on the PATH; .ci/run installs them")
        .isEmpty();
    if (!playwrightInstalled()) {
      Run npm = run(List.of("npm", "ci", "--no-audit", "--no-fund"), Map.of(), 300);
      assertThat(npm.exitCode()).as("npm ci in " + scripts + ":\n" + npm.output()).isZero();
    }
  }

  /** Whether node_modules holds the playwright-core version of package-lock.json (then npm ci is not run again). */
  private static boolean playwrightInstalled() throws IOException {
    Path installed = scripts.resolve("node_modules/playwright-core/package.json");
    if (!Files.isRegularFile(installed)) {
      return false;
    }
    ObjectMapper json = new ObjectMapper();
    String locked = json.readTree(scripts.resolve("package-lock.json").toFile()).path("packages")
        .path("node_modules/playwright-core").path("version").asText();
    return locked.equals(json.readTree(installed.toFile()).path("version").asText());
  }

  private static String onPath(String command) {
    for (String dir : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
      Path p = Path.of(dir, command);
      if (!dir.isEmpty() && Files.isExecutable(p)) {
        return p.toString();
      }
    }
    return null;
  }

  private record Run(int exitCode, String output) {}

  private static Run run(List<String> command, Map<String, String> env, int seconds) throws Exception {
    Path log = Files.createTempFile("ldm4j-ui", ".log");
    try {
      ProcessBuilder pb = new ProcessBuilder(command).directory(scripts.toFile()).redirectErrorStream(true)
          .redirectOutput(log.toFile());
      pb.environment().putAll(env);
      Process p = pb.start();
      if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        return new Run(-1, "timed out after " + seconds + " s:\n" + Files.readString(log, StandardCharsets.UTF_8));
      }
      return new Run(p.exitValue(), Files.readString(log, StandardCharsets.UTF_8));
    } finally {
      Files.deleteIfExists(log);
    }
  }

  private HttpResponse<String> get(ServeProcess serve, String path) throws IOException, InterruptedException {
    return http.send(HttpRequest.newBuilder(URI.create(serve.base() + path)).build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void theUiGeneratesCancelsAndInpaintsInARealBrowserWithTheApiKey() throws Exception {
    Path shots = Path.of(System.getProperty("ldm4j.ui.screenshots", "target/ui-screenshots")).toAbsolutePath();
    // a LoRA and an embedding for the pickers (listed, not run: the demo model has no CLIP text encoder or SD UNet)
    Path loras = Files.createDirectories(work.resolve("Lora"));
    new SafetensorsWriter().add("lora_unet_down_blocks_0_attentions_0_proj_in.lora_down.weight",
        Tensor.of(new float[4], 2, 2)).write(loras.resolve("tiny.safetensors"));
    Path embeddings = Files.createDirectories(work.resolve("embeddings"));
    new SafetensorsWriter().add("emb_params", Tensor.of(new float[2 * 768], 2, 768)).write(embeddings.resolve("myemb.safetensors"));
    try (ServeProcess serve = ServeProcess.start(work, List.of("-Dquarkus.ldm4j.limits.max-steps=" + CANCEL_STEPS,
        "-Dquarkus.ldm4j.library.lora-dir=" + loras, "-Dquarkus.ldm4j.library.embeddings-dir=" + embeddings),
        List.of(), Map.of("LDM4J_API_KEY", KEY))) {
      // the page and its files are public (they hold no data); the API behind them needs the key
      HttpResponse<String> page = get(serve, "/");
      assertThat(page.statusCode()).isEqualTo(200);
      assertThat(page.headers().firstValue("content-type").orElse("")).startsWith("text/html");
      assertThat(page.body()).contains("<title>ldm4j</title>", "src=\"ui/app.js\"");
      for (String file : List.of("/ui/app.js", "/ui/api.js", "/ui/mask.js", "/ui/png.js", "/ui/style.css")) {
        HttpResponse<String> r = get(serve, file);
        assertThat(r.statusCode()).as(file).isEqualTo(200);
        assertThat(r.body()).as(file + " loads nothing from elsewhere").doesNotContain("http://", "https://", "//cdn");
      }
      assertThat(page.body()).doesNotContain("http://", "https://");
      assertThat(get(serve, "/ldm4j/models").statusCode()).isEqualTo(401);

      Run node = run(List.of("node", "ui.test.mjs"), Map.of("BASE_URL", serve.base(), "API_KEY", KEY,
          "SCREENSHOTS", shots.toString(), "CHROMIUM", chromium, "CANCEL_STEPS", Integer.toString(CANCEL_STEPS)), 300);
      assertThat(node.exitCode()).as("node ui.test.mjs:\n" + node.output() + "\nserver log:\n" + serve.stderr()).isZero();
      String line = node.output().lines().filter(l -> l.startsWith("RESULT ")).reduce((a, b) -> b).orElseThrow(
          () -> new AssertionError("no RESULT line:\n" + node.output()));
      JsonNode r = new ObjectMapper().readTree(line.substring("RESULT ".length()));

      // the API key: asked for once, kept in the browser, sent with every API call after
      assertThat(r.get("keyRequested").asText()).isEqualTo("This server needs an API key.");
      assertThat(r.get("storedKey").asText()).isEqualTo(KEY);
      assertThat(r.get("keyPanelHiddenAfterReload").asBoolean()).isTrue();
      assertThat(r.get("apiCalls").asInt()).isGreaterThan(5);
      assertThat(r.get("apiCallsWithoutKey")).as("API calls without 'Bearer KEY'").isEmpty();
      assertThat(r.get("models").toString()).contains("default");
      assertThat(r.get("samplers").asInt()).isGreaterThan(10);
      // the hires upscalers, the library's LoRA and embedding in the pickers, which write them into the prompts
      assertThat(r.get("upscalers").toString()).contains("Latent (default)", "Latent (bicubic)", "Lanczos (pixels)");
      assertThat(r.get("loras").toString()).isEqualTo("[\"tiny\"]");
      assertThat(r.get("embeddings").toString()).contains("myemb");
      assertThat(r.get("promptWithLora").asText()).isEqualTo("a red circle, <lora:tiny:0.8>");
      assertThat(r.get("negativeWithEmbedding").asText()).isEqualTo("myemb");

      // txt2img: live previews over the task stream, the red circle (centre pixel red), its parameters
      assertThat(r.get("previewUpdates").asInt()).as("preview updates over 24 steps").isGreaterThanOrEqualTo(2);
      assertThat(r.get("previewSrcIsPng").asBoolean()).isTrue();
      assertThat(r.get("generateStatus").asText()).startsWith("Done: 1 image");
      assertThat(r.get("firstSize").toString()).isEqualTo("[512,512]");
      JsonNode centre = r.get("firstCentre");
      assertThat(centre.get(0).asInt()).as("red").isGreaterThan(150);
      assertThat(centre.get(1).asInt()).as("green").isLessThan(100);
      assertThat(centre.get(2).asInt()).as("blue").isLessThan(100);
      assertThat(r.get("firstParameters").asText()).startsWith("a red circle\nSteps: 24,").contains("Seed: 42,");
      assertThat(r.get("firstSeed").asText()).isEqualTo("42");
      assertThat(r.get("reusedSeed").asText()).isEqualTo("42");
      assertThat(r.get("randomSeedField").asText()).isEqualTo("-1");

      // cancel: the server stopped at a step short of the end, its stream ended "cancelled" (disconnect), idle after
      assertThat(r.get("cancelServerEvent").get("event").asText()).isEqualTo("cancelled");
      assertThat(r.get("cancelServerEvent").get("reason").asText()).isEqualTo("disconnect");
      assertThat(r.get("cancelLastStep").asInt()).isBetween(3, CANCEL_STEPS - 1);
      assertThat(r.get("cancelStatus").asText()).startsWith("Cancelled: the server stopped the generation (disconnect)");
      assertThat(r.get("progressAfterCancel").get("state").get("job_count").asInt()).isZero();
      assertThat(r.get("progressAfterCancel").get("current_task").isNull()).isTrue();
      assertThat(r.get("galleryAfterCancel").asInt()).as("no result from the cancelled run").isEqualTo(1);
      // a second tab queued behind it (one generation at a time) showed the server's queue, then ran
      assertThat(r.get("queuedStatus").asText()).startsWith("Queued: the server has 2 generations running or waiting");
      assertThat(r.get("queuedThenDone").asText()).startsWith("Done: 1 image");

      // inpainting the centre with "a blue square": the centre turns blue, the corners are kept
      assertThat(r.get("maskState").asText()).contains("inpainting");
      assertThat(r.get("inpaintStatus").asText()).startsWith("Done: 1 image");
      JsonNode after = r.get("inpaintPixels").get("result");
      JsonNode before = r.get("inpaintPixels").get("source");
      assertThat(after.get("centre").get(2).asInt()).as("blue centre " + after).isGreaterThan(after.get("centre").get(0).asInt() + 80);
      for (String kept : List.of("corner", "edge")) {
        for (int c = 0; c < 3; c++) {
          assertThat(after.get(kept).get(c).asInt()).as(kept + " kept: " + after + " vs " + before)
              .isCloseTo(before.get(kept).get(c).asInt(), org.assertj.core.data.Offset.offset(12));
        }
      }
      assertThat(r.get("inpaintParameters").asText()).startsWith("a blue square\n").contains("Denoising strength: 1");

      // hires fix: 256 x 256 by 2 gives 512 x 512 (the green circle asked for), 20 + 4 steps, its parameters in the gallery
      assertThat(r.get("hiresSizeNote").asText()).isEqualTo("Result: 512 × 512");
      assertThat(r.get("hiresStatus").asText()).startsWith("Done: 1 image");
      assertThat(r.get("hiresSize").toString()).isEqualTo("[512,512]");
      assertThat(r.get("hiresSummary").asText()).contains("512×512");
      JsonNode green = r.get("hiresCentre");
      assertThat(green.get(1).asInt()).as("green centre " + green).isGreaterThan(green.get(0).asInt() + 80)
          .isGreaterThan(green.get(2).asInt() + 80);
      assertThat(r.get("hiresProgressMax").asInt()).as("steps of both passes").isEqualTo(24);
      assertThat(r.get("hiresParameters").asText()).startsWith("a green circle\nSteps: 20,").contains("Size: 256x256,",
          "Denoising strength: 0.6,", "Hires upscale: 2,", "Hires steps: 4,", "Hires upscaler: Latent,");

      // phone width, accessibility names, nothing fetched from elsewhere, no script errors
      assertThat(r.get("phoneOverflow").asInt()).as("horizontal overflow at 390 px").isLessThanOrEqualTo(0);
      assertThat(r.get("generateButton").asInt()).isEqualTo(1);
      assertThat(r.get("externalRequests")).isEmpty();
      assertThat(r.get("consoleErrors")).isEmpty();
      for (String shot : List.of("api-key.png", "generate.png", "progress.png", "inpaint.png", "inpaint-result.png", "hires.png",
          "phone.png")) {
        assertThat(shots.resolve(shot)).isRegularFile();
      }
    }
  }
}
