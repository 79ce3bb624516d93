package io.github.ldm4j.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.ldm4j.image.PngCodec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every command of the packaged application, run as a process: exit codes, clean stdout, the files written. */
class CliProcessIT {

  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path work;

  @Test
  void generateDrawsTheDemoModelsRedCircle() throws Exception {
    AppProcess.Result r = AppProcess.run(work, "generate", "--prompt", "a red circle", "--output", "red-circle.png");
    assertThat(r.exitCode()).as(r.stderr()).isZero();
    assertThat(r.stdout().trim()).isEqualTo("red-circle.png");
    // No --seed: a random one, printed; progress goes to stderr, as plain lines when it is no terminal.
    assertThat(r.stderr()).containsPattern("(?m)^seed: \\d+$").contains("step 1/20 ").contains("step 20/20 ")
        .contains("elapsed, ETA").doesNotContain("\r").doesNotContain("WARN");
    PngCodec.Decoded d = PngCodec.decode(Files.readAllBytes(work.resolve("red-circle.png")), 1 << 20);
    assertThat(d.image().width()).isEqualTo(512);
    Pngs.assertShapeColour(d.image(), 0);
    assertThat(d.parameters()).hasValueSatisfying(p -> assertThat(p).startsWith("a red circle\nSteps: 20")
        .contains("Seed: " + r.stderr().lines().filter(l -> l.startsWith("seed: ")).findFirst().orElseThrow().substring(6)));
  }

  @Test
  void batchesWriteNumberedFiles() throws Exception {
    AppProcess.Result r = AppProcess.run(work, "generate", "--prompt", "a blue square", "--steps", "4",
        "--batch-size", "2", "--quiet", "--output", "out/shape.png");
    assertThat(r.exitCode()).as(r.stderr()).isZero();
    assertThat(r.stdout().lines()).containsExactly(Path.of("out", "shape-0.png").toString(), Path.of("out", "shape-1.png").toString());
    assertThat(work.resolve("out/shape-0.png")).isRegularFile();
    assertThat(work.resolve("out/shape-1.png")).isRegularFile();
  }

  @Test
  void samplersPrintsJson() throws Exception {
    AppProcess.Result r = AppProcess.run(work, "samplers");
    assertThat(r.exitCode()).as(r.stderr()).isZero();
    JsonNode n = JSON.readTree(r.stdout());
    assertThat(names(n.get("samplers"))).contains("euler", "dpmpp_2m", "ddim");
    assertThat(names(n.get("schedulers"))).contains("karras", "normal");
  }

  @Test
  void tokenizePrintsTheIds() throws Exception {
    AppProcess.Result r = AppProcess.run(work, "tokenize", "--prompt", "a photo of a cat");
    assertThat(r.exitCode()).as(r.stderr()).isZero();
    // facts.md §5: BOS, the ids, EOS, no padding
    assertThat(r.stdout().trim()).isEqualTo("[49406,320,1125,539,320,2368,49407]");
    assertThat(r.stderr()).isEmpty();
  }

  @Test
  void demoModelThenInspectListsComponentsAndContracts() throws Exception {
    AppProcess.Result w = AppProcess.run(work, "demo-model", "--output", "demo");
    assertThat(w.exitCode()).as(w.stderr()).isZero();
    AppProcess.Result r = AppProcess.run(work, "inspect", "--model", "demo");
    assertThat(r.exitCode()).as(r.stderr()).isZero();
    JsonNode n = JSON.readTree(r.stdout());
    assertThat(names(n.get("components"))).containsExactly("text_encoder", "unet", "vae_encoder", "vae_decoder");
    assertThat(n.at("/flavor/export").asText()).isEqualTo("optimum");
    assertThat(n.at("/flavor/conditioningKey").asText()).isEqualTo("crossattn");
    JsonNode sample = n.at("/networks/unet/inputs/0");
    assertThat(sample.get("name").asText()).isEqualTo("sample");
    assertThat(sample.get("dtype").asText()).isEqualTo("float32");
    assertThat(sample.get("shape").toString()).isEqualTo("[-1,4,-1,-1]"); // the demo takes any size
    assertThat(n.at("/networks/text_encoder/inputs/0/name").asText()).isEqualTo("input_ids");
    assertThat(n.at("/networks/vae_decoder/outputs/0/shape").toString()).isEqualTo("[-1,3,-1,-1]");
    assertThat(n.at("/scheduler/class").asText()).isEqualTo("PNDMScheduler");
    assertThat(n.at("/scheduler/sampler").asText()).isEqualTo("plms");
    assertThat(n.at("/scheduler/numTrainTimesteps").asInt()).isEqualTo(1000);
  }

  @Test
  void usageErrorsExitWithTwoAndNoStackTrace() throws Exception {
    AppProcess.Result r = AppProcess.run(work, "generate", "--prompt", "x", "--steps", "many");
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.stderr()).contains("Invalid value for option '--steps': 'many' is not an int")
        .contains("ldm4j generate --help").doesNotContain("\tat ");
    assertThat(r.stdout()).isEmpty();
    AppProcess.Result s = AppProcess.run(work, "generate", "--prompt", "x", "--sampler", "nope", "--quiet");
    assertThat(s.exitCode()).isEqualTo(2);
    assertThat(s.stderr()).contains("unknown sampler 'nope'").doesNotContain("\tat ");
    // the server's prompt rule, and options that only mean something with --init-image
    AppProcess.Result blank = AppProcess.run(work, "generate", "--prompt", " ", "--quiet", "--output", "blank.png");
    assertThat(blank.exitCode()).as(blank.stderr()).isEqualTo(2);
    assertThat(blank.stderr()).contains("--prompt: prompt is required and must not be blank").doesNotContain("\tat ");
    assertThat(work.resolve("blank.png")).doesNotExist();
    AppProcess.Result strength = AppProcess.run(work, "generate", "--prompt", "x", "--strength", "0.4", "--quiet");
    assertThat(strength.exitCode()).as(strength.stderr()).isEqualTo(2);
    assertThat(strength.stderr()).contains("--strength needs --init-image");
    AppProcess.Result dir = AppProcess.run(work, "generate", "--prompt", "x", "--init-image", work.toString(), "--quiet");
    assertThat(dir.exitCode()).as(dir.stderr()).isEqualTo(2);
    assertThat(dir.stderr()).contains("is a directory, not an image file");
  }

  @Test
  void theDemoModelDrawsAtAnySize() throws Exception {
    AppProcess.Result r = AppProcess.run(work, "generate", "--prompt", "a red circle", "--width", "192", "--height", "128",
        "--steps", "8", "--sampler", "ddim", "--seed", "2", "--quiet", "--output", "wide.png");
    assertThat(r.exitCode()).as(r.stderr()).isZero();
    PngCodec.Decoded d = PngCodec.decode(Files.readAllBytes(work.resolve("wide.png")), 1 << 20);
    assertThat(d.image().width()).isEqualTo(192);
    assertThat(d.image().height()).isEqualTo(128);
    Pngs.assertShapeColour(d.image(), 0);
  }

  @Test
  void anUnwritableOutputExitsWithOneNamingTheFileAndWhy() throws Exception {
    AppProcess.Result r = AppProcess.run(work, "generate", "--prompt", "x", "--steps", "1", "--seed", "1", "--quiet",
        "--output", "/proc/forbidden/x.png");
    assertThat(r.exitCode()).as(r.stderr()).isEqualTo(1);
    assertThat(r.stderr()).startsWith("ldm4j: cannot write /proc/forbidden/x.png: ").doesNotContain("\tat ");
    assertThat(r.stderr().lines().findFirst().orElseThrow()).isNotEqualTo("ldm4j: /proc/forbidden");
  }

  @Test
  void missingModelFoldersExitWithOneAndAClearMessage() throws Exception {
    for (String command : List.of("generate", "inspect", "tokenize")) {
      List<String> args = new ArrayList<>(List.of(command, "--model", "no-such-model"));
      if (!command.equals("inspect")) {
        args.addAll(List.of("--prompt", "x"));
      }
      AppProcess.Result r = AppProcess.run(work, args.toArray(String[]::new));
      assertThat(r.exitCode()).as(command + ": " + r.stderr()).isEqualTo(1);
      assertThat(r.stderr()).as(command).startsWith("ldm4j: ").contains("no-such-model").contains("does not exist")
          .doesNotContain("\tat ");
      assertThat(r.stdout()).isEmpty();
    }
    AppProcess.Result serve = AppProcess.run(work, "serve", "--port", "0", "--model", "no-such-model");
    assertThat(serve.exitCode()).as(serve.stderr()).isEqualTo(1);
    assertThat(serve.stderr()).contains("ldm4j: cannot serve: cannot open model \"default\"").contains("no-such-model")
        .doesNotContain("\tat ");
  }

  @Test
  void badConfigurationIsAStartupFailureWithOne() throws Exception {
    AppProcess.Result r = AppProcess.run(work, List.of("-Dquarkus.ldm4j.threads=several"), "samplers");
    assertThat(r.exitCode()).isEqualTo(1);
    assertThat(r.stderr()).startsWith("ldm4j: cannot start: ").contains("quarkus.ldm4j.threads").doesNotContain("\tat ");
    assertThat(r.stdout()).isEmpty();
  }

  private static List<String> names(JsonNode array) {
    List<String> out = new ArrayList<>();
    array.forEach(e -> out.add(e.asText()));
    return out;
  }
}
