package io.github.ldm4j.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.ldm4j.image.PngCodec;
import io.github.ldm4j.image.RgbImage;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * End to end against the ORIGINAL code (issue #13): the packaged {@code ldm4j generate} is run as a
 * process on a small CompVis-layout F16 checkpoint with CLIP's full 49,408-token vocabulary, for a
 * prompt STRING, with {@code --sampler ddim --scheduler ddim_uniform --rng torch}; its PNG must match
 * the image that CompVis' (SD 1.x) / Stability-AI's (SD 2.x, v-prediction) txt2img path made from
 * the same weights at ≥ 50 dB PSNR (8-bit). The fixtures {@code fixtures/cli-sd1} and {@code
 * fixtures/cli-sd2} of the checkpoint module (shipped in its test-jar) were written by {@code
 * checkpoint/src/test/python/gen_cli.py}: the prompt tokenized as the original conditioner does,
 * {@code get_learned_conditioning} for it and for "", {@code DDIMSampler.sample(S=10, eta=0,
 * unconditional_guidance_scale=7.5, x_T=torch.manual_seed(seed); torch.randn(...))}, {@code
 * decode_first_stage}, clamp((x+1)/2, 0, 1) and 8-bit rounded as ldm4j writes PNGs. The prompt,
 * seed, steps, scale and size come from the fixture's manifest.
 */
class CheckpointCliParityIT {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final double MIN_PSNR_DB = 50;

  @TempDir Path work;

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"cli-sd1", "cli-sd2"})
  void generateMatchesTheOriginalTxt2img(String fixture) throws Exception {
    JsonNode manifest = JSON.readTree(resource(fixture, "manifest.json"));
    Path model = Files.write(work.resolve(fixture + ".safetensors"), resource(fixture, manifest.at("/checkpoint/file").asText()));
    JsonNode t = manifest.path("txt2img");
    List<String> args = new ArrayList<>(List.of("generate", "--model", model.toString(),
        "--prompt", t.path("prompt").asText(), "--negative-prompt", t.path("negative_prompt").asText(),
        "--sampler", "ddim", "--scheduler", "ddim_uniform", "--rng", "torch",
        "--seed", t.path("seed").asText(), "--steps", t.path("steps").asText(),
        "--guidance-scale", t.path("guidance_scale").asText(),
        "--width", t.path("width").asText(), "--height", t.path("height").asText(), "--quiet", "--output", "out.png"));
    if (t.path("parameterization").asText().equals("v")) {
      args.addAll(List.of("--prediction", "v"));
    }
    // A home of its own: the converted checkpoint is cached there, not in the shared target/it-home.
    AppProcess.Result r = AppProcess.run(work, List.of("-Dldm4j.home=" + work.resolve("home")), args.toArray(String[]::new));
    assertThat(r.exitCode()).as(r.stderr()).isZero();
    assertThat(r.stdout().trim()).isEqualTo("out.png");
    assertThat(r.stderr()).doesNotContain("warning");

    RgbImage mine = PngCodec.decode(Files.readAllBytes(work.resolve("out.png")), 1 << 20).image();
    RgbImage expected = PngCodec.decode(resource(fixture, t.path("png").asText()), 1 << 20).image();
    assertThat(mine.width()).isEqualTo(t.path("width").asInt()).isEqualTo(expected.width());
    assertThat(mine.height()).isEqualTo(t.path("height").asInt()).isEqualTo(expected.height());
    double se = 0;
    int maxDiff = 0;
    for (int y = 0; y < mine.height(); y++) {
      for (int x = 0; x < mine.width(); x++) {
        for (int c = 0; c < 3; c++) {
          int d = mine.channel(x, y, c) - expected.channel(x, y, c);
          se += (double) d * d;
          maxDiff = Math.max(maxDiff, Math.abs(d));
        }
      }
    }
    double mse = se / (3.0 * mine.width() * mine.height());
    double psnr = mse == 0 ? Double.POSITIVE_INFINITY : 10 * Math.log10(255.0 * 255.0 / mse);
    System.out.printf(Locale.ROOT, "%s: ldm4j generate vs the original txt2img: PSNR %.2f dB (MSE %.5f, max |diff| %d)%n",
        fixture, psnr, mse, maxDiff);
    assertThat(psnr).as("%s PSNR (dB) of ldm4j's PNG against the original's", fixture).isGreaterThanOrEqualTo(MIN_PSNR_DB);
  }

  /** A file of a fixture folder of the checkpoint module's test-jar. */
  private static byte[] resource(String fixture, String name) throws IOException {
    String path = "/fixtures/" + fixture + "/" + name;
    try (InputStream in = CheckpointCliParityIT.class.getResourceAsStream(path)) {
      if (in == null) {
        throw new IllegalStateException(path + " is not on the test classpath (ldm4j-checkpoint:tests)");
      }
      return in.readAllBytes();
    }
  }
}
