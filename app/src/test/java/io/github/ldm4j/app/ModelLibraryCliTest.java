package io.github.ldm4j.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.ldm4j.checkpoint.DType;
import io.github.ldm4j.checkpoint.StateDict;
import io.github.ldm4j.checkpoint.StateDicts;
import io.github.ldm4j.checkpoint.safetensors.SafetensorsWriter;
import io.github.ldm4j.checkpoint.sd.FullSizeCheckpointCommand;
import io.github.ldm4j.checkpoint.sd.SmallSd1Lora;
import io.github.ldm4j.image.PngCodec;
import java.io.OutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code generate --models-dir DIR --model NAME --prompt "… <lora:NAME:w>"} end to end, in this JVM:
 * a models directory in A1111's layout with a small seeded SD 1.x checkpoint with CLIP's full
 * vocabulary ({@code FullSizeCheckpointCommand.SMALL_SD1}) as {@code Stable-diffusion/small.safetensors}
 * and a kohya LoRA of random weights for it (text encoder MLP, UNet attention and a 1×1 conv) as
 * {@code Lora/L.safetensors}. The hashes the PNG must carry are computed here with the JDK's SHA-256
 * over the files' bytes, independently of the library's hashing code.
 */
class ModelLibraryCliTest {

  @TempDir Path work;

  private Path checkpoint;
  private Path lora;

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
    Files.createDirectories(dir.resolve("Lora"));
    checkpoint = dir.resolve("Stable-diffusion/small.safetensors");
    FullSizeCheckpointCommand.write(FullSizeCheckpointCommand.SMALL_SD1, checkpoint, DType.F16, 7,
        new PrintStream(OutputStream.nullOutputStream()));
    lora = dir.resolve("Lora/L.safetensors");
    SmallSd1Lora.write(lora, 11, Map.of());
    return dir;
  }



  private int generate(Path models, String prompt, String out, String... more) {
    return generateWith(models, "small", prompt, out, more);
  }

  private int generateWith(Path models, String model, String prompt, String out, String... more) {
    cli.reset();
    List<String> args = new ArrayList<>(List.of("generate", "--models-dir", models.toString(), "--model", model,
        "--prompt", prompt, "--width", "64", "--height", "64", "--steps", "2", "--sampler", "euler", "--seed", "5",
        "--quiet", "--output", work.resolve(out).toString()));
    args.addAll(Arrays.asList(more));
    return Ldm4jCommand.execute(CommandLine.defaultFactory(), args.toArray(String[]::new));
  }

  private PngCodec.Decoded png(String name) throws IOException {
    return PngCodec.decode(Files.readAllBytes(work.resolve(name)), Long.MAX_VALUE);
  }

  private static String sha256(byte[] b) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
  }

  @Test
  void promptTagsSelectLorasFromTheLibraryAndThePngCarriesA1111sHashes() throws Exception {
    Path models = models();

    assertThat(generate(models, "a fox", "base.png")).as(cli.stderr()).isZero();
    assertThat(generate(models, "a fox <lora:L:1>", "one.png")).as(cli.stderr()).isZero();
    assertThat(generate(models, "a fox <lora:L:0>", "zero.png")).as(cli.stderr()).isZero();
    assertThat(generate(models, "a fox", "option.png", "--lora", "L")).as(cli.stderr()).isZero();

    assertThat(png("one.png").image()).as("weight 1 changes the image").isNotEqualTo(png("base.png").image());
    assertThat(png("zero.png").image()).as("weight 0 is the model without the LoRA").isEqualTo(png("base.png").image());
    assertThat(png("option.png").image()).as("--lora NAME is <lora:NAME:1>").isEqualTo(png("one.png").image());

    byte[] loraBytes = Files.readAllBytes(lora);
    long header = ByteBuffer.wrap(loraBytes, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
    String addnet = sha256(Arrays.copyOfRange(loraBytes, (int) (8 + header), loraBytes.length));
    String modelHash = sha256(Files.readAllBytes(checkpoint)).substring(0, 10);
    String params = png("one.png").parameters().orElseThrow();
    assertThat(params).startsWith("a fox <lora:L:1>\nSteps: 2, ")
        .contains(", Model hash: " + modelHash + ", Model: small, ")
        .contains(", Lora hashes: \"L: " + addnet.substring(0, 12) + "\", ");
    assertThat(png("base.png").parameters().orElseThrow()).contains("Model hash: " + modelHash).doesNotContain("Lora hashes");
    assertThat(png("zero.png").parameters().orElseThrow()).startsWith("a fox <lora:L:0>\n")
        .contains("Lora hashes: \"L: " + addnet.substring(0, 12) + "\"");

    // LoRAs are applied at load time to the one conversion without them: one cached folder in all
    try (var s = Files.list(work.resolve("home/checkpoints"))) {
      assertThat(s.filter(p -> p.getFileName().toString().startsWith("small-")).count()).isEqualTo(1);
    }
  }

  @Test
  void vaeNamesResolveInTheVaeFolderAndThePngNamesIt() throws Exception {
    Path models = models();
    Path vae = Files.createDirectories(models.resolve("VAE")).resolve("ft.safetensors");
    try (StateDict sd = StateDicts.open(checkpoint)) {
      SafetensorsWriter w = new SafetensorsWriter();
      sd.entries().forEach((k, e) -> {
        if (k.startsWith("first_stage_model.")) {
          w.add(k.substring("first_stage_model.".length()), e.dtype(), e.shape(), sd.data(k));
        }
      });
      w.write(vae);
    }

    assertThat(generate(models, "a fox", "vae.png", "--vae", "ft")).as(cli.stderr()).isZero();

    String vaeHash = sha256(Files.readAllBytes(vae)).substring(0, 10);
    assertThat(png("vae.png").parameters().orElseThrow())
        .contains(", Model: small, VAE hash: " + vaeHash + ", VAE: ft.safetensors, ");
  }

  @Test
  void badTagsAndNamesAreUsageErrors() throws Exception {
    Path models = models();

    assertThat(generate(models, "a fox <lora:missing:1>", "x.png")).isEqualTo(2);
    assertThat(cli.stderr()).contains("no LoRA 'missing'").contains("(it holds: L)");
    assertThat(generate(models, "a fox <lora:../Stable-diffusion/small:1>", "x.png")).isEqualTo(2);
    assertThat(cli.stderr()).contains("invalid LoRA name '../Stable-diffusion/small'");
    assertThat(generate(models, "a fox <hypernet:x:1>", "x.png")).isEqualTo(2);
    assertThat(cli.stderr()).contains("unsupported extra network <hypernet:x:1>");
    assertThat(generate(models, "a fox <lora:L:dyn=4>", "x.png")).isEqualTo(2);
    assertThat(cli.stderr()).contains("dyn=");
    assertThat(generate(models, "a fox", "x.png", "--negative-prompt", "<lora:L:1>")).isEqualTo(2);
    assertThat(cli.stderr()).contains("in the negative prompt");
    assertThat(generate(models, "a fox", "x.png", "--vae", "nope")).isEqualTo(2);
    assertThat(cli.stderr()).contains("--vae no VAE 'nope'");
    cli.reset();
    assertThat(Ldm4jCommand.execute(CommandLine.defaultFactory(), "generate", "--prompt", "a <lora:L:1>", "--quiet",
        "--output", work.resolve("y.png").toString())).isEqualTo(2);
    assertThat(cli.stderr()).contains("needs a LoRA folder: give --models-dir");
    cli.reset();
    assertThat(Ldm4jCommand.execute(CommandLine.defaultFactory(), "generate", "--models-dir", models.toString(),
        "--model", "nope", "--prompt", "x", "--quiet", "--output", work.resolve("x.png").toString())).isEqualTo(2);
    assertThat(cli.stderr()).contains("no checkpoint 'nope'").contains("(it holds: small)");
    cli.reset();
    String absent = work.resolve("absent.safetensors").toAbsolutePath().toString();
    assertThat(Ldm4jCommand.execute(CommandLine.defaultFactory(), "generate", "--models-dir", models.toString(),
        "--model", absent, "--prompt", "x", "--quiet", "--output", work.resolve("x.png").toString()))
        .as("an absolute path is a path, not a name").isEqualTo(1);
    assertThat(cli.stderr()).contains("does not exist");
    assertThat(work.resolve("x.png")).doesNotExist();
  }

  /**
   * Issue 14's command: {@code --models-dir DIR --model NAME --prompt "… <lora:L:0.8> EMBEDDING"}: the
   * LoRA's text-encoder weights and the embedding's extended token table replace weights of the same
   * text-encoder session; each changes the image, and the PNG carries both hashes.
   */
  @Test
  void aLoraTagAndAnEmbeddingWorkTogether() throws Exception {
    Path models = models();
    Path emb = Files.createDirectories(models.resolve("embeddings"));
    try (java.io.InputStream in = getClass().getResourceAsStream("/fixtures/embedding/myemb.pt")) {
      assertThat(in).isNotNull();
      Files.copy(in, emb.resolve("myemb.pt"));
    }
    Path none = Files.createDirectories(work.resolve("no-embeddings"));

    assertThat(generate(models, "a fox <lora:L:0.8> myemb", "both.png")).as(cli.stderr()).isZero();
    assertThat(generate(models, "a fox <lora:L:0.8> myemb", "text.png", "--embeddings-dir", none.toString()))
        .as(cli.stderr()).isZero();
    assertThat(generate(models, "a fox myemb", "emb.png")).as(cli.stderr()).isZero();

    assertThat(png("both.png").image()).as("the embedding with the LoRA").isNotEqualTo(png("text.png").image());
    assertThat(png("both.png").image()).as("the LoRA with the embedding").isNotEqualTo(png("emb.png").image());
    String params = png("both.png").parameters().orElseThrow();
    assertThat(params).startsWith("a fox <lora:L:0.8> myemb\n").contains("Lora hashes: \"L: ").contains("TI hashes: \"myemb: ");
  }

  /**
   * A LoRA tag on a model folder ldm4j converted (the checkpoint's cached conversion) gives the image
   * the same tag gives on the checkpoint, bit for bit; on a folder whose weights do not carry the
   * conversion's names (the shapes demo) it fails naming the folder and saying to give the checkpoint.
   */
  @Test
  void loraTagsApplyToAConvertedFolderAsToItsCheckpoint() throws Exception {
    Path models = models();
    assertThat(generate(models, "a fox <lora:L:0.8>", "checkpoint.png")).as(cli.stderr()).isZero();
    Path folder;
    try (var s = Files.list(work.resolve("home/checkpoints"))) {
      folder = s.filter(p -> p.getFileName().toString().startsWith("small-")).findFirst().orElseThrow();
    }
    assertThat(generateWith(models, folder.toString(), "a fox <lora:L:0.8>", "folder.png")).as(cli.stderr()).isZero();
    assertThat(generateWith(models, folder.toString(), "a fox", "folder-base.png")).as(cli.stderr()).isZero();
    assertThat(png("folder.png").image()).isEqualTo(png("checkpoint.png").image())
        .isNotEqualTo(png("folder-base.png").image());

    Path demo = DemoModel.ensure();
    assertThat(generateWith(models, demo.toString(), "a red circle <lora:L:1>", "demo.png")).isEqualTo(2);
    assertThat(cli.stderr()).contains(demo.toString()).contains("give the checkpoint file");
    assertThat(Files.exists(work.resolve("demo.png"))).isFalse();

    // inspect lists a LoRA's modules against a checkpoint only
    cli.reset();
    assertThat(Ldm4jCommand.execute(CommandLine.defaultFactory(), new String[] {"inspect", "--models-dir", models.toString(),
        "--model", folder.toString(), "--lora", "L"})).isEqualTo(2);
    assertThat(cli.stderr()).contains("give the checkpoint file").contains(folder.toString());
  }
}
