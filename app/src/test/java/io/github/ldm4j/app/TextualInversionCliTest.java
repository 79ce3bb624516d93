package io.github.ldm4j.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.ldm4j.checkpoint.DType;
import io.github.ldm4j.checkpoint.sd.FullSizeCheckpointCommand;
import io.github.ldm4j.image.PngCodec;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code generate --models-dir DIR --model NAME --prompt "… EMBEDDINGNAME"} end to end, in this JVM:
 * a models directory with a small seeded SD 1.x checkpoint with CLIP's full vocabulary and text width
 * 64 ({@code FullSizeCheckpointCommand.SMALL_SD1}) and, in {@code embeddings/}, the A1111 {@code .pt}
 * embedding {@code myemb} (3 vectors of width 64) and {@code wide} (width 1024) that {@code
 * checkpoint/src/test/python/gen_embedding.py} wrote with torch. The TI hash the PNG must carry is
 * computed here with the JDK's SHA-256 over the file's bytes.
 */
class TextualInversionCliTest {

  @TempDir Path work;

  private CliSandbox cli;

  @BeforeEach
  void setUp() {
    cli = new CliSandbox(work.resolve("home"));
  }

  @AfterEach
  void restore() {
    cli.close();
  }


  private Path models() throws IOException {
    Path dir = work.resolve("models");
    Files.createDirectories(dir.resolve("Stable-diffusion"));
    Path emb = Files.createDirectories(dir.resolve("embeddings"));
    FullSizeCheckpointCommand.write(FullSizeCheckpointCommand.SMALL_SD1, dir.resolve("Stable-diffusion/small.safetensors"),
        DType.F16, 7, new PrintStream(OutputStream.nullOutputStream()));
    copy("myemb.pt", emb);
    copy("wide.pt", emb);
    return dir;
  }

  private static void copy(String fixture, Path dir) throws IOException {
    try (InputStream in = TextualInversionCliTest.class.getResourceAsStream("/fixtures/embedding/" + fixture)) {
      assertThat(in).as("fixture %s", fixture).isNotNull();
      Files.copy(in, dir.resolve(fixture));
    }
  }

  private int generate(Path models, String prompt, String out, String... more) {
    cli.reset();
    List<String> args = new ArrayList<>(List.of("generate", "--models-dir", models.toString(), "--model", "small",
        "--prompt", prompt, "--width", "64", "--height", "64", "--steps", "2", "--sampler", "euler", "--seed", "5",
        "--quiet", "--output", work.resolve(out).toString()));
    args.addAll(Arrays.asList(more));
    return Ldm4jCommand.execute(CommandLine.defaultFactory(), args.toArray(String[]::new));
  }

  private PngCodec.Decoded png(String name) throws IOException {
    return PngCodec.decode(Files.readAllBytes(work.resolve(name)), Long.MAX_VALUE);
  }

  @Test
  void anEmbeddingNameInThePromptChangesTheImageAndThePngCarriesItsTiHash() throws Exception {
    Path models = models();
    Path empty = Files.createDirectories(work.resolve("no-embeddings"));

    assertThat(generate(models, "a fox, myemb", "ti.png")).as(cli.stderr()).isZero();
    assertThat(generate(models, "a fox, myemb", "text.png", "--embeddings-dir", empty.toString())).as(cli.stderr()).isZero();
    assertThat(generate(models, "a fox", "neg.png", "--negative-prompt", "(myemb:1.3)")).as(cli.stderr()).isZero();
    assertThat(generate(models, "a fox", "plain.png")).as(cli.stderr()).isZero();

    assertThat(png("ti.png").image()).as("the embedding's vectors are not the word's tokens")
        .isNotEqualTo(png("text.png").image());
    assertThat(png("neg.png").image()).as("an embedding in the negative prompt").isNotEqualTo(png("plain.png").image());

    String hash = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
        .digest(Files.readAllBytes(models.resolve("embeddings/myemb.pt")))).substring(0, 12);
    assertThat(png("ti.png").parameters().orElseThrow()).startsWith("a fox, myemb\n")
        .contains(", TI hashes: \"myemb: " + hash + "\", ");
    assertThat(png("neg.png").parameters().orElseThrow()).contains("TI hashes: \"myemb: " + hash + "\"");
    assertThat(png("text.png").parameters().orElseThrow()).doesNotContain("TI hashes");
    assertThat(png("plain.png").parameters().orElseThrow()).doesNotContain("TI hashes");
  }

  @Test
  void aNameWithoutAnEmbeddingIsJustText() throws Exception {
    Path models = models();
    Path empty = Files.createDirectories(work.resolve("no-embeddings"));

    assertThat(generate(models, "a fox, notanembedding", "lib.png")).as(cli.stderr()).isZero();
    assertThat(generate(models, "a fox, notanembedding", "nolib.png", "--embeddings-dir", empty.toString()))
        .as(cli.stderr()).isZero();

    assertThat(png("lib.png").image()).isEqualTo(png("nolib.png").image());
    assertThat(png("lib.png").parameters().orElseThrow()).doesNotContain("TI hashes");
  }

  @Test
  void anEmbeddingOfAnotherWidthFailsNamingTheFile() throws Exception {
    Path models = models();

    assertThat(generate(models, "a fox, wide", "x.png")).isNotZero();
    assertThat(cli.stderr()).contains("wide.pt").contains("1024").contains("64");
    assertThat(work.resolve("x.png")).doesNotExist();
  }
}
