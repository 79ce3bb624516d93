package io.github.ldm4j.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.ldm4j.image.PngCodec;
import io.github.ldm4j.image.RgbImage;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CommandLineTest {

  @TempDir static Path home;
  @TempDir Path work;

  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();
  private PrintStream oldOut;
  private PrintStream oldErr;

  @BeforeEach
  void capture() {
    System.setProperty("ldm4j.home", home.toString());
    oldOut = System.out;
    oldErr = System.err;
    System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
    System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
  }

  @AfterEach
  void restore() {
    System.setOut(oldOut);
    System.setErr(oldErr);
  }

  private String stdout() {
    return out.toString(StandardCharsets.UTF_8);
  }

  private String stderr() {
    return err.toString(StandardCharsets.UTF_8);
  }

  @Test
  void generateWithoutAModelDrawsTheDemoModelsRedCircle() throws Exception {
    Path png = work.resolve("red.png");
    int code = Main.run("generate", "--prompt", "a red circle", "--quiet", "--output", png.toString());
    assertThat(code).as(stderr()).isZero();
    PngCodec.Decoded d = PngCodec.decode(Files.readAllBytes(png), 1 << 20);
    RgbImage img = d.image();
    assertThat(img.width()).isEqualTo(512);
    // The centre is red (220, 40, 40 in the dataset), the corner is the light grey background.
    assertThat(img.channel(256, 256, 0)).isGreaterThan(180);
    assertThat(img.channel(256, 256, 1)).isLessThan(90);
    assertThat(img.channel(5, 5, 0)).isBetween(200, 255);
    assertThat(img.channel(5, 5, 1)).isBetween(200, 255);
    assertThat(d.parameters()).hasValueSatisfying(p -> assertThat(p).startsWith("a red circle\nSteps: 20"));
  }

  @Test
  void batchesWriteNumberedFiles() {
    Path png = work.resolve("shape.png");
    int code = Main.run("generate", "--prompt", "a blue square", "--steps", "4", "--batch-size", "2", "--quiet",
        "--output", png.toString());
    assertThat(code).as(stderr()).isZero();
    assertThat(work.resolve("shape-0.png")).exists();
    assertThat(work.resolve("shape-1.png")).exists();
  }

  @Test
  void usageErrorsExitWithTwoAndAClearMessage() {
    assertThat(Main.run("generate", "--prompt", "x", "--width", "100", "--quiet")).isEqualTo(2);
    assertThat(stderr()).contains("multiples of 8").doesNotContain("at io.github");
    assertThat(Main.run("generate")).isEqualTo(2);
    assertThat(stderr()).contains("Missing required option: '--prompt");
    assertThat(Main.run("generate", "--prompt", "x", "--sampler", "nope", "--quiet")).isEqualTo(2);
    assertThat(stderr()).contains("unknown sampler 'nope'").contains("euler");
  }

  @Test
  void runtimeFailuresExitWithOne() {
    assertThat(Main.run("generate", "--prompt", "x", "--model", work.resolve("missing").toString(), "--quiet")).isEqualTo(1);
    assertThat(stderr()).contains("missing");
  }

  @Test
  void samplersAndTokenizePrintJson() {
    assertThat(Main.run("samplers")).isZero();
    assertThat(stdout()).startsWith("{\"samplers\":[").contains("\"euler\"").contains("\"schedulers\":[").contains("\"karras\"");
    out.reset();
    assertThat(Main.run("tokenize", "--prompt", "a photo of a cat")).isZero();
    // facts.md §5
    assertThat(stdout().trim()).isEqualTo("[49406,320,1125,539,320,2368,49407]");
  }
}
