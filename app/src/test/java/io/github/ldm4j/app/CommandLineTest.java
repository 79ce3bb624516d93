package io.github.ldm4j.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.ldm4j.checkpoint.StateDict;
import io.github.ldm4j.checkpoint.StateDicts;
import io.github.ldm4j.checkpoint.safetensors.SafetensorsWriter;
import io.github.ldm4j.demo.ShapesModel;
import io.github.ldm4j.demo.ShapesOptions;
import io.github.ldm4j.generate.GenerationRequest;
import io.github.ldm4j.generate.GenerationSettings;
import io.github.ldm4j.tensor.Tensor;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * Parsing and exit codes in-process, without Quarkus (commands made by picocli's default factory);
 * the packaged application is run as a process by the *IT tests.
 */
class CommandLineTest {

  @TempDir Path work;

  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();
  private PrintStream oldOut;
  private PrintStream oldErr;

  @BeforeEach
  void capture() {
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

  private static int run(String... args) {
    return Ldm4jCommand.execute(CommandLine.defaultFactory(), args);
  }

  private String stdout() {
    return out.toString(StandardCharsets.UTF_8);
  }

  private String stderr() {
    return err.toString(StandardCharsets.UTF_8);
  }

  @Test
  void usageErrorsExitWithTwoAndAClearMessage() {
    assertThat(run("generate", "--prompt", "x", "--width", "100", "--quiet")).isEqualTo(2);
    assertThat(stderr()).contains("multiples of 8").doesNotContain("\tat ");
    assertThat(run("generate")).isEqualTo(2);
    assertThat(stderr()).contains("Missing required option: '--prompt").contains("ldm4j generate --help");
    assertThat(run("generate", "--prompt", "x", "--backend", "nope", "--quiet")).isEqualTo(2);
    assertThat(stderr()).contains("--backend nope is unknown").contains("onnx");
    assertThat(run("generate", "--prompt", "x", "--rng", "dice", "--quiet")).isEqualTo(2);
    assertThat(run("generate", "--prompt", "x", "--quantize", "floor", "--quiet")).isEqualTo(2);
    assertThat(stderr()).contains("unknown quantization 'floor'; expected one of round, truncate");
    assertThat(run("serve", "--port", "abc")).isEqualTo(2);
    assertThat(stderr()).contains("'--port': 'abc' is not an int");
    assertThat(run()).isEqualTo(2);
    assertThat(stderr()).contains("a command is required: generate, serve, tokenize, inspect, samplers, demo-model, convert or bench");
    assertThat(run("paint")).isEqualTo(2);
    assertThat(stdout()).isEmpty();
  }

  @Test
  void missingModelFoldersAreRuntimeFailures() {
    String missing = work.resolve("missing").toString();
    assertThat(run("generate", "--prompt", "x", "--model", missing, "--quiet")).isEqualTo(1);
    assertThat(stderr()).contains("missing").contains("does not exist").doesNotContain("\tat ");
    assertThat(run("tokenize", "--prompt", "x", "--model", missing)).isEqualTo(1);
    assertThat(stderr()).contains("--model " + missing + ": the model folder does not exist");
    assertThat(run("inspect", "--model", missing)).isEqualTo(1);
    assertThat(stdout()).isEmpty();
  }

  @Test
  void verboseShowsTheStackTrace() {
    assertThat(run("tokenize", "--prompt", "x", "--model", work.resolve("missing").toString(), "--verbose")).isEqualTo(1);
    assertThat(stderr()).contains("NoSuchFileException").contains("\tat ");
  }

  @Test
  void samplersAndTokenizePrintJson() {
    assertThat(run("samplers")).isZero();
    assertThat(stdout()).startsWith("{\"samplers\":[").contains("\"euler\"").contains("\"schedulers\":[").contains("\"karras\"");
    out.reset();
    assertThat(run("tokenize", "--prompt", "a photo of a cat")).isZero();
    // facts.md §5
    assertThat(stdout().trim()).isEqualTo("[49406,320,1125,539,320,2368,49407]");
  }

  @Test
  void demoModelRefusesANonEmptyFolder() throws Exception {
    Files.writeString(work.resolve("keep.txt"), "x");
    assertThat(run("demo-model", "--output", work.toString())).isEqualTo(2);
    assertThat(stderr()).contains("exists and is not empty");
  }

  @Test
  void serveLibraryOptionsBecomeTheExtensionsLibrary(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
    Path ckpt = java.nio.file.Files.write(dir.resolve("c.safetensors"), new byte[8]);
    ServeCommand serve = (ServeCommand) Ldm4jCommand.commandLine(CommandLine.defaultFactory()).parseArgs("serve",
        "--models-dir", dir.resolve("models").toString(), "--lora-dir", dir.resolve("loras").toString(),
        "--model", ckpt.toString()).subcommand().commandSpec().userObject();
    assertThat(serve.configuration(() -> Path.of("demo")))
        .containsEntry("quarkus.ldm4j.library.models-dir", dir.resolve("models").toAbsolutePath().toString())
        .containsEntry("quarkus.ldm4j.library.lora-dir", dir.resolve("loras").toAbsolutePath().toString())
        .doesNotContainKey("quarkus.ldm4j.library.vae-dir")
        // the checkpoint itself (not a converted folder), so that requests can merge LoRAs into it
        .containsEntry("quarkus.ldm4j.model.path", ckpt.toAbsolutePath().toString());
  }

  @Test
  void servePrecisionBecomesTheExtensionsPrecisionAndKeepsTheCheckpoint(@org.junit.jupiter.api.io.TempDir Path dir)
      throws Exception {
    // not a readable checkpoint: handed on as it is, the CLI converts nothing (a conversion would fail on it)
    Path ckpt = Files.write(dir.resolve("c.safetensors"), new byte[8]);
    ServeCommand serve = serve("serve", "--model", ckpt.toString(), "--precision", "INT8", "--device", "cuda:0");
    serve.env = name -> null;
    assertThat(serve.configuration(() -> Path.of("demo")))
        .containsEntry("quarkus.ldm4j.precision", "int8")
        // the checkpoint itself, so that requests' LoRAs are applied to the extension's int8 conversion
        .containsEntry(ServeCommand.MODEL_PATH, ckpt.toAbsolutePath().toString());
    // auto on a GPU is the extension's auto too: still the checkpoint
    ServeCommand gpu = serve("serve", "--model", ckpt.toString(), "--device", "cuda:0");
    gpu.env = name -> null;
    assertThat(gpu.configuration(() -> Path.of("demo"))).doesNotContainKey("quarkus.ldm4j.precision")
        .containsEntry(ServeCommand.MODEL_PATH, ckpt.toAbsolutePath().toString());
    WorkerCommand w = (WorkerCommand) Ldm4jCommand.commandLine(CommandLine.defaultFactory()).parseArgs("worker",
        "--redis", "redis://r:1", "--model", ckpt.toString(), "--precision", "fp16").subcommand().commandSpec().userObject();
    assertThat(w.configuration(() -> Path.of("demo"))).containsEntry("quarkus.ldm4j.precision", "fp16")
        .containsEntry(ServeCommand.MODEL_PATH, ckpt.toAbsolutePath().toString());
    assertThatThrownBy(() -> serve("serve", "--model", ckpt.toString(), "--precision", "fp8")
        .configuration(() -> Path.of("demo"))).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("--precision must be auto, fp32, fp16, int8 or int8-linear, got fp8");
  }

  @Test
  void serveOptionsBecomeConfiguration() {
    CommandLine cl = Ldm4jCommand.commandLine(CommandLine.defaultFactory());
    CommandLine.ParseResult r = cl.parseArgs("serve", "--port", "9999", "--host", "127.0.0.1", "--model", "m",
        "--backend", "openvino", "--device", "GPU", "--api-key", "k");
    ServeCommand serve = (ServeCommand) r.subcommand().commandSpec().userObject();
    Map<String, String> c = serve.configuration(() -> {
      throw new AssertionError("--model given: the demo model is not needed");
    });
    assertThat(c).containsEntry("quarkus.http.host-enabled", "true").containsEntry("quarkus.http.port", "9999")
        .containsEntry("quarkus.http.host", "127.0.0.1").containsEntry("quarkus.log.level", "INFO")
        .containsEntry("quarkus.ldm4j.model.path", Path.of("m").toAbsolutePath().toString())
        .containsEntry("quarkus.ldm4j.backend", "openvino").containsEntry("quarkus.ldm4j.device", "GPU")
        .containsEntry("quarkus.ldm4j.api-key", "k").containsEntry("quarkus.ldm4j.stop-on-signal", "true");
    ServeCommand defaults = (ServeCommand) Ldm4jCommand.commandLine(CommandLine.defaultFactory()).parseArgs("serve")
        .subcommand().commandSpec().userObject();
    defaults.env = name -> null;
    // Without --model the app serves its embedded demo model: the extension has none of its own.
    assertThat(defaults.configuration(() -> Path.of("demo"))).containsEntry("quarkus.http.port", "8080")
        .containsEntry("quarkus.http.host", "0.0.0.0")
        .containsEntry("ldm4j.demo-model.path", Path.of("demo").toAbsolutePath().toString())
        .doesNotContainKeys("quarkus.ldm4j.model.path", "quarkus.ldm4j.backend", "quarkus.ldm4j.api-key");
  }

  @Test
  void theRuntimeKnobsReachServesConfigurationAndGeneratesBackendOptions(@org.junit.jupiter.api.io.TempDir Path dir) {
    ServeCommand serve = serve("serve", "--threads", "3", "--inter-op-threads", "2", "--optimization", "Extended",
        "--model-cache", dir.toString(), "--no-memory-arena", "--no-memory-pattern");
    serve.env = name -> null;
    assertThat(serve.configuration(() -> Path.of("demo"))).containsEntry("quarkus.ldm4j.threads", "3")
        .containsEntry("quarkus.ldm4j.inter-op-threads", "2").containsEntry("quarkus.ldm4j.optimization", "EXTENDED")
        .containsEntry("quarkus.ldm4j.model-cache", dir.toAbsolutePath().toString())
        .containsEntry("quarkus.ldm4j.memory-arena", "false").containsEntry("quarkus.ldm4j.memory-pattern", "false");
    ServeCommand plain = serve("serve");
    plain.env = name -> null;
    assertThat(plain.configuration(() -> Path.of("demo"))).doesNotContainKeys("quarkus.ldm4j.threads",
        "quarkus.ldm4j.optimization", "quarkus.ldm4j.model-cache", "quarkus.ldm4j.memory-arena");

    GenerateCommand generate = (GenerateCommand) Ldm4jCommand.commandLine(CommandLine.defaultFactory())
        .parseArgs("generate", "--prompt", "x", "--threads", "1", "--optimization", "disabled", "--no-memory-arena")
        .subcommand().commandSpec().userObject();
    io.github.ldm4j.spi.BackendOptions o = generate.backendChoice.options();
    assertThat(o.intraOpThreads()).isEqualTo(1);
    assertThat(o.optimization()).isEqualTo(io.github.ldm4j.spi.GraphOptimization.DISABLED);
    assertThat(o.memoryArena()).isFalse();
    assertThat(o.memoryPattern()).isEqualTo(io.github.ldm4j.spi.BackendOptions.DEFAULTS.memoryPattern());
    assertThat(o.modelCache()).isEmpty();
    assertThat(run("bench", "--inter-op-threads", "-2")).isEqualTo(2);
    assertThat(stderr()).contains("--threads and --inter-op-threads must be >= 0, got -2");
  }

  private static ServeCommand serve(String... args) {
    return (ServeCommand) Ldm4jCommand.commandLine(CommandLine.defaultFactory()).parseArgs(args).subcommand()
        .commandSpec().userObject();
  }

  @Test
  void theApiKeyComesFromAnOptionAFileOrTheEnvironment() {
    ServeCommand file = serve("serve", "--model", "m", "--api-key-file", "key.txt");
    file.env = name -> "from-env";
    assertThat(file.configuration(() -> Path.of("demo")))
        .containsEntry("quarkus.ldm4j.api-key-file", Path.of("key.txt").toAbsolutePath().toString())
        .doesNotContainKey("quarkus.ldm4j.api-key");
    ServeCommand fromEnv = serve("serve", "--model", "m");
    fromEnv.env = name -> name.equals(ServeCommand.API_KEY_ENV) ? "s3cret\n" : null;
    assertThat(fromEnv.configuration(() -> Path.of("demo"))).containsEntry("quarkus.ldm4j.api-key", "s3cret")
        .doesNotContainKey("quarkus.ldm4j.api-key-file");
    ServeCommand option = serve("serve", "--model", "m", "--api-key", "k");
    option.env = name -> "from-env";
    assertThat(option.configuration(() -> Path.of("demo"))).containsEntry("quarkus.ldm4j.api-key", "k");
    ServeCommand emptyEnv = serve("serve", "--model", "m");
    emptyEnv.env = name -> " ";
    assertThatThrownBy(() -> emptyEnv.configuration(() -> Path.of("demo")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("LDM4J_API_KEY is set but empty");
  }

  @Test
  void apiAuthBecomesTheExtensionsProperty() {
    ServeCommand auth = serve("serve", "--model", "m", "--api-auth", "alice:pw,bob:pw2");
    auth.env = name -> null;
    assertThat(auth.configuration(() -> Path.of("demo"))).containsEntry("quarkus.ldm4j.api-auth", "alice:pw,bob:pw2")
        .doesNotContainKey("quarkus.ldm4j.api-key");
    ServeCommand none = serve("serve", "--model", "m");
    none.env = name -> null;
    assertThat(none.configuration(() -> Path.of("demo"))).doesNotContainKey("quarkus.ldm4j.api-auth");
    ServeCommand empty = serve("serve", "--model", "m", "--api-auth", " ");
    empty.env = name -> null;
    assertThatThrownBy(() -> empty.configuration(() -> Path.of("demo")))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("--api-auth is empty");
  }

  @Test
  void queueOptionsMakeAnApiNode() {
    ServeCommand api = serve("serve", "--queue", "redis://redis:6379", "--no-models");
    api.env = name -> null;
    assertThat(api.configuration(() -> {
      throw new AssertionError("--no-models: the demo model is not needed");
    })).containsEntry("quarkus.ldm4j.queue.kind", "redis").containsEntry("quarkus.ldm4j.queue.url", "redis://redis:6379")
        .containsEntry("quarkus.ldm4j.queue.local-models", "false")
        .doesNotContainKeys("quarkus.ldm4j.model.path", "ldm4j.demo-model.path");
    ServeCommand withModel = serve("serve", "--queue", "redis://redis:6379", "--model", "m");
    withModel.env = name -> null;
    assertThat(withModel.configuration(() -> Path.of("d"))).containsEntry("quarkus.ldm4j.queue.kind", "redis")
        .containsEntry("quarkus.ldm4j.model.path", Path.of("m").toAbsolutePath().toString())
        .doesNotContainKey("quarkus.ldm4j.queue.local-models");
    assertThatThrownBy(() -> serve("serve", "--no-models").configuration(() -> Path.of("d")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--no-models needs --queue");
    assertThatThrownBy(() -> serve("serve", "--queue", "redis://r:1", "--no-models", "--model", "m")
        .configuration(() -> Path.of("d"))).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("--no-models and --model are mutually exclusive");
    assertThatThrownBy(() -> serve("serve", "--queue", "http://r:1").configuration(() -> Path.of("d")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("--queue: ")
        .hasMessageContaining("not a redis:// URI");
  }

  @Test
  void aWorkerNeedsARedisAddress() {
    assertThat(run("worker")).isEqualTo(2);
    assertThat(stderr()).contains("--redis");
    assertThat(run("worker", "--redis", "localhost:6379")).isEqualTo(2);
    assertThat(stderr()).contains("--redis: queue address 'localhost:6379' is not a redis:// URI");
  }

  @Test
  void aWorkersOptionsBecomeTheConfigurationOfAServeNodesModel() {
    WorkerCommand w = (WorkerCommand) Ldm4jCommand.commandLine(CommandLine.defaultFactory()).parseArgs("worker",
        "--redis", "redis-sentinel://s1:26379,s2:26379/m", "--name", "sd", "--models-dir", "lib", "--device", "cuda:0",
        "--place", "unet=onnx:cuda:1").subcommand().commandSpec().userObject();
    var c = w.configuration(() -> Path.of("demo"));
    assertThat(c).containsEntry("quarkus.ldm4j.model.name", "sd")
        .containsEntry(ServeCommand.MODEL_PATH, Path.of("demo").toAbsolutePath().toString())
        .containsEntry("quarkus.ldm4j.device", "cuda:0")
        .containsEntry("quarkus.ldm4j.model.placement.\"unet\"", "onnx:cuda:1")
        .containsEntry("quarkus.ldm4j.library.models-dir", Path.of("lib").toAbsolutePath().toString());
    WorkerCommand bad = (WorkerCommand) Ldm4jCommand.commandLine(CommandLine.defaultFactory()).parseArgs("worker",
        "--redis", "redis://r:1", "--health-port", "70000").subcommand().commandSpec().userObject();
    assertThatThrownBy(() -> bad.configuration(() -> Path.of("demo"))).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("--health-port must be 0..65535, got 70000");
  }

  @Test
  void bothApiKeyOptionsOrAnEmptyKeyAreRefused() {
    assertThatThrownBy(() -> serve("serve", "--api-key", "k", "--api-key-file", "f").configuration(() -> Path.of("d")))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("--api-key and --api-key-file are mutually exclusive");
    assertThatThrownBy(() -> serve("serve", "--api-key", " ").configuration(() -> Path.of("d")))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("--api-key is empty");
  }

  @Test
  void aSizeTheModelCannotRunIsAUsageError() {
    Path model = work.resolve("shapes");
    ShapesModel.write(model, ShapesOptions.defaults().withImageSize(128));
    assertThat(run("generate", "--prompt", "x", "--model", model.toString(), "--width", "256", "--height", "256",
        "--quiet", "--output", work.resolve("x.png").toString())).isEqualTo(2);
    assertThat(stderr()).contains("ldm4j: this model's UNet accepts only 128x128 images (its sample input is fixed at"
        + " [?, 4, 16, 16]); got 256x256").doesNotContain("\tat ").doesNotContain("ORT");
    assertThat(work.resolve("x.png")).doesNotExist();
    assertThat(stdout()).isEmpty();
  }

  @Test
  void hiresFixUpscalesTheDemoModelsImageAndWritesA1111Parameters() throws Exception {
    Path model = work.resolve("demo");
    ShapesModel.write(model, ShapesOptions.demo());
    Path latent = work.resolve("latent.png");
    Path lanczos = work.resolve("lanczos.png");
    assertThat(run("generate", "--prompt", "a red circle", "--model", model.toString(), "--width", "256", "--height", "256",
        "--steps", "12", "--sampler", "euler", "--scheduler", "karras", "--seed", "3", "--hires-scale", "2", "--hires-steps", "4", "--hires-strength", "0.5", "--quiet",
        "--output", latent.toString())).as(stderr()).isZero();
    assertThat(run("generate", "--prompt", "a red circle", "--model", model.toString(), "--width", "256", "--height", "256",
        "--steps", "12", "--sampler", "euler", "--scheduler", "karras", "--seed", "3", "--hires-size", "512x512", "--hires-upscaler", "lanczos", "--quiet",
        "--output", lanczos.toString())).as(stderr()).isZero();
    io.github.ldm4j.image.PngCodec.Decoded a = io.github.ldm4j.image.PngCodec.decode(Files.readAllBytes(latent), Long.MAX_VALUE);
    io.github.ldm4j.image.PngCodec.Decoded b = io.github.ldm4j.image.PngCodec.decode(Files.readAllBytes(lanczos), Long.MAX_VALUE);
    for (io.github.ldm4j.image.PngCodec.Decoded d : java.util.List.of(a, b)) {
      assertThat(d.image().width()).isEqualTo(512);
      assertThat(d.image().height()).isEqualTo(512);
      Pngs.assertShapeColour(d.image(), 0);
    }
    assertThat(a.parameters()).hasValueSatisfying(p -> assertThat(p).contains("Steps: 12,", "Seed: 3,", "Size: 256x256,",
        "Denoising strength: 0.5,", "Hires upscale: 2,", "Hires steps: 4,", "Hires upscaler: Latent,"));
    assertThat(b.parameters()).hasValueSatisfying(p -> assertThat(p).contains("Size: 256x256,", "Denoising strength: 0.75,",
        "Hires resize: 512x512,", "Hires upscaler: Lanczos,").doesNotContain("Hires steps"));
  }

  @Test
  void badHiresOptionsAreUsageErrorsNamingTheOption() throws Exception {
    Path init = work.resolve("init.png");
    Files.write(init, io.github.ldm4j.image.PngCodec.encode(new io.github.ldm4j.image.RgbImage(8, 8, new byte[8 * 8 * 3]), java.util.Optional.empty()));
    String[][] cases = {
      {"--hires-scale 0.5", "--hires-scale: hires scale must be in [1, 8], got 0.5"},
      {"--hires-size 100x96", "--hires-size: hires size must be multiples of 8"},
      {"--hires-size big", "--hires-size must be WIDTHxHEIGHT"},
      {"--hires-scale 2 --hires-size 512x512", "--hires-scale and --hires-size are mutually exclusive"},
      {"--hires-upscaler Lanczos", "--hires-upscaler needs --hires-scale or --hires-size"},
      {"--hires-steps 5", "--hires-steps needs --hires-scale or --hires-size"},
      {"--hires-scale 2 --hires-upscaler ESRGAN_4x", "--hires-upscaler: unknown hires upscaler \"ESRGAN_4x\"; known: Latent,"},
      {"--hires-scale 2 --hires-strength 0", "--hires-strength: hires denoising strength must be in (0, 1], got 0.0"},
      {"--hires-scale 2 --hires-steps -1", "--hires-steps: hires steps must be >= 0"},
      {"--hires-scale 1.3 --width 128 --height 128",
          "--hires-scale: hires fix of 128x128 by scale 1.3 gives 166x166, which is not a multiple of 8"},
      {"--hires-scale 2 --init-image " + init, "the --hires-* options are for text-to-image"},
    };
    for (String[] c : cases) {
      err.reset();
      java.util.List<String> args = new java.util.ArrayList<>(java.util.List.of("generate", "--prompt", "x", "--quiet",
          "--output", work.resolve("never.png").toString()));
      args.addAll(java.util.List.of(c[0].split(" ")));
      assertThat(run(args.toArray(String[]::new))).as(c[0]).isEqualTo(2);
      assertThat(stderr()).as(c[0]).contains(c[1]).doesNotContain("\tat ");
    }
    assertThat(work.resolve("never.png")).doesNotExist();
  }

  @Test
  void anUnwritableOutputIsARuntimeFailureNamingTheFile() throws Exception {
    Path model = work.resolve("shapes");
    ShapesModel.write(model, ShapesOptions.defaults().withImageSize(128));
    Files.writeString(work.resolve("plain-file"), "x");
    Path output = work.resolve("plain-file").resolve("x.png");
    assertThat(run("generate", "--prompt", "x", "--model", model.toString(), "--width", "128", "--height", "128",
        "--steps", "1", "--seed", "1", "--quiet", "--output", output.toString())).isEqualTo(1);
    // createDirectories fails with FileAlreadyExistsException, whose message is just the path
    assertThat(stderr()).startsWith("ldm4j: cannot write " + output + ": FileAlreadyExistsException")
        .doesNotContain("\tat ");
    assertThat(stdout()).isEmpty();
  }

  @Test
  void quantizeTruncateWritesTheCompVisPixels() throws Exception {
    Path model = work.resolve("shapes");
    ShapesModel.write(model, ShapesOptions.defaults().withImageSize(128));
    Path rounded = work.resolve("round.png");
    Path truncated = work.resolve("truncate.png");
    for (String[] q : new String[][] {{"round", rounded.toString()}, {"truncate", truncated.toString()}}) {
      assertThat(run("generate", "--prompt", "a red circle", "--model", model.toString(), "--width", "128", "--height", "128",
          "--steps", "2", "--seed", "0", "--quantize", q[0], "--quiet", "--output", q[1])).isZero();
    }
    byte[] r = io.github.ldm4j.image.PngCodec.decode(Files.readAllBytes(rounded), Long.MAX_VALUE).image().rgb();
    io.github.ldm4j.image.PngCodec.Decoded t = io.github.ldm4j.image.PngCodec.decode(Files.readAllBytes(truncated), Long.MAX_VALUE);
    byte[] tr = t.image().rgb();
    int differing = 0;
    for (int i = 0; i < r.length; i++) {
      int d = (r[i] & 0xff) - (tr[i] & 0xff);
      assertThat(d).isBetween(0, 1);
      differing += d;
    }
    assertThat(differing).isPositive();
    assertThat(t.parameters()).hasValueSatisfying(p -> assertThat(p).contains("RNG: torch, Quantize: truncate, Version: ldm4j"));
  }

  @Test
  void placementPutsNetworksOnTheNamedBackendAndBadPlacementsAreUsageErrors() throws Exception {
    Path model = work.resolve("shapes");
    ShapesModel.write(model, ShapesOptions.defaults().withImageSize(128));
    Path out = work.resolve("placed.png");
    assertThat(run("generate", "--prompt", "a red circle", "--model", model.toString(), "--width", "128", "--height", "128",
        "--steps", "2", "--place", "unet=onnx:cpu", "--place", "text_encoder=onnx", "--quiet", "--output", out.toString()))
        .isZero();
    assertThat(out).exists();
    assertThat(run("generate", "--prompt", "x", "--model", model.toString(), "--place", "vae=onnx", "--quiet")).isEqualTo(2);
    assertThat(stderr()).contains("unknown model component 'vae'; valid: [text_encoder, unet, vae_encoder, vae_decoder]")
        .doesNotContain("\tat ");
    assertThat(run("generate", "--prompt", "x", "--model", model.toString(), "--place", "unet=tpu", "--quiet")).isEqualTo(2);
    assertThat(stderr()).contains("unknown backend 'tpu'").contains("onnx");
    CommandLine.ParseResult r = Ldm4jCommand.commandLine(CommandLine.defaultFactory())
        .parseArgs("serve", "--model", "m", "--place", "unet=onnx:cuda:0", "--place", "vae_decoder=openvino:CPU");
    ServeCommand serve = (ServeCommand) r.subcommand().commandSpec().userObject();
    assertThat(serve.configuration(() -> Path.of("demo")))
        .containsEntry("quarkus.ldm4j.model.placement.\"unet\"", "onnx:cuda:0")
        .containsEntry("quarkus.ldm4j.model.placement.\"vae_decoder\"", "openvino:CPU");
  }

  /**
   * An SD 2.x checkpoint whose config says what its tensors cannot (the SD 2.x fixture of the
   * checkpoint module has 32 channels per head and predicts v): the {@code .yaml} beside it is read
   * as AUTOMATIC1111 does, {@code --config} names another, a flag overrides the config, and a broken
   * config is refused naming the file.
   */
  @Test
  void inferenceConfigsBesideOrNamedSayWhatTensorsCannot() throws Exception {
    Path ckpt = Files.copy(SD2_FIXTURE, work.resolve("sd2-768-v.safetensors"));
    Path converted = work.resolve("plain");
    assertThat(run("convert", ckpt.toString(), "--output", converted.toString())).isEqualTo(1);
    assertThat(stderr()).contains("not divisible by headChannels 64").doesNotContain("\tat ");

    Files.writeString(work.resolve("sd2-768-v.yaml"), """
        model:
          target: ldm.models.diffusion.ddpm.LatentDiffusion
          params:
            parameterization: "v"
            scale_factor: 0.13025
            conditioning_key: crossattn
            unet_config:
              params:
                num_head_channels: 32
        """);
    assertThat(run("convert", ckpt.toString(), "--output", converted.toString())).isZero();
    assertThat(Files.readString(converted.resolve("scheduler/scheduler_config.json"))).contains("v_prediction");
    assertThat(Files.readString(converted.resolve("vae_decoder/config.json"))).contains("0.13025");

    String home = System.getProperty("ldm4j.home");
    System.setProperty("ldm4j.home", work.resolve("home").toString());
    try {
      // (inspect, not generate: the fixture's text encoder has 1,024 token embeddings, not CLIP's 49,408)
      assertThat(run("inspect", "--model", ckpt.toString())).as(stderr()).isZero();
      assertThat(stdout()).contains("SD 2.x").contains("\"config\" : \"" + work.resolve("sd2-768-v.yaml"))
          .contains("\"conditioning_key\" : \"crossattn\"");
      Path cached;
      try (var folders = Files.list(work.resolve("home/checkpoints"))) {
        cached = folders.filter(Files::isDirectory).findFirst().orElseThrow();
      }
      assertThat(Files.readString(cached.resolve("scheduler/scheduler_config.json"))).contains("v_prediction");
    } finally {
      if (home == null) {
        System.clearProperty("ldm4j.home");
      } else {
        System.setProperty("ldm4j.home", home);
      }
    }

    Path eps = work.resolve("eps");
    assertThat(run("convert", ckpt.toString(), "--prediction", "eps", "--output", eps.toString())).isZero();
    assertThat(Files.readString(eps.resolve("scheduler/scheduler_config.json"))).as("eps is diffusers' default")
        .doesNotContain("v_prediction");

    Path broken = Files.writeString(work.resolve("broken.yaml"),
        "model: {params: {unet_config: {params: {num_head_channels: wide}}}}");
    assertThat(run("convert", ckpt.toString(), "--config", broken.toString(), "--output", work.resolve("b").toString()))
        .isEqualTo(1);
    assertThat(stderr()).contains(broken.toString()).contains("num_head_channels must be an integer")
        .doesNotContain("\tat ");

    Path inpainting = Files.writeString(work.resolve("inpainting.yaml"),
        "model: {params: {conditioning_key: hybrid, unet_config: {params: {num_head_channels: 32}}}}");
    assertThat(run("inspect", "--model", ckpt.toString(), "--config", inpainting.toString())).isEqualTo(1);
    assertThat(stderr()).as("the config's key and the UNet's").contains("conditioning_key is 'hybrid'")
        .contains("the UNet takes 4 input channels for 4 output channels").contains("its tensors are 'crossattn'")
        .doesNotContain("\tat ");
    Path unclip = Files.writeString(work.resolve("unclip.yaml"), "model: {params: {conditioning_key: crossattn-adm}}");
    assertThat(run("convert", ckpt.toString(), "--config", unclip.toString(), "--output", work.resolve("u").toString()))
        .isEqualTo(1);
    assertThat(stderr()).contains(unclip.toString()).contains("'crossattn-adm' is not supported")
        .doesNotContain("\tat ");
  }

  /** The SD 2.x fixture checkpoint of the checkpoint module (produced by running CompVis' code). */
  private static final Path SD2_FIXTURE =
      Path.of("..", "checkpoint", "src", "test", "resources", "fixtures", "sd2-small", "sd2-small-fp32.safetensors");

  /** The SD 1.x fixture checkpoint of the checkpoint module (produced by running CompVis' code). */
  private static final Path FIXTURE =
      Path.of("..", "checkpoint", "src", "test", "resources", "fixtures", "sd1-small", "sd1-small-fp16.safetensors");

  @Test
  void checkpointFilesAreConvertedInspectedAndRefusedClearly() throws Exception {
    String home = System.getProperty("ldm4j.home");
    System.setProperty("ldm4j.home", work.resolve("home").toString());
    try {
      Path converted = work.resolve("converted");
      assertThat(run("convert", FIXTURE.toString(), "--output", converted.toString())).isZero();
      assertThat(converted.resolve("model_index.json")).exists();
      assertThat(converted.resolve("unet/model.onnx")).exists();
      assertThat(stdout().strip()).isEqualTo(converted.toAbsolutePath().toString());

      out.reset();
      assertThat(run("inspect", "--model", FIXTURE.toString())).isZero();
      assertThat(stdout()).contains("\"architecture\" : \"SD 1.x\"").contains("\"conditioning_key\" : \"crossattn\"")
          .contains("\"ema\" : false")
          .contains("\"missing_keys\" : [ ]").contains("\"F16\"");
      assertThat(work.resolve("home/checkpoints")).isDirectoryContaining(p -> p.getFileName().toString()
          .startsWith("sd1-small-fp16-"));

      Path lora = work.resolve("style-lora.safetensors");
      new SafetensorsWriter().add("lora_unet_down_blocks_0_attentions_0_proj_in.lora_down.weight", Tensor.zeros(4, 32))
          .write(lora);
      assertThat(run("convert", lora.toString(), "--output", work.resolve("x").toString())).isEqualTo(1);
      assertThat(stderr()).contains(lora.toString()).contains("detected a LoRA").doesNotContain("\tat ");
      Path text = work.resolve("notes.txt");
      Files.writeString(text, "not a model");
      assertThat(run("generate", "--prompt", "x", "--model", text.toString(), "--quiet")).isEqualTo(1);
      assertThat(stderr()).contains(text.toString()).doesNotContain("\tat ");
      assertThat(run("convert", FIXTURE.toString(), "--output", work.resolve("y").toString(), "--precision", "fp8"))
          .isEqualTo(2);
      assertThat(stderr()).contains("--precision must be auto, fp32, fp16, int8 or int8-linear, got fp8");
      // --precision int8: the UNet's conv and linear weights int8 (Int8WeightsFidelityTest pins its fidelity)
      assertThat(run("convert", FIXTURE.toString(), "--output", work.resolve("int8").toString(), "--precision", "int8"))
          .isEqualTo(0);
      assertThat(io.github.ldm4j.checkpoint.sd.ConvertedFolder.read(work.resolve("int8")).precision())
          .isEqualTo(io.github.ldm4j.export.folder.Precision.INT8);
      assertThat(run("generate", "--prompt", "x", "--model", FIXTURE.toString(), "--prediction", "velocity", "--quiet"))
          .isEqualTo(2);
      assertThat(stderr()).contains("--prediction: unknown parameterization 'velocity'");

      Path folderOfFiles = Files.createDirectories(work.resolve("downloads"));
      Files.copy(FIXTURE, folderOfFiles.resolve("b.safetensors"));
      Files.writeString(folderOfFiles.resolve("a.ckpt"), "x");
      assertThat(run("generate", "--prompt", "x", "--model", folderOfFiles.toString(), "--quiet")).isEqualTo(1);
      assertThat(stderr()).contains("is a folder of checkpoint files [a.ckpt, b.safetensors], not a model folder")
          .contains("give one checkpoint file as the model");

      // a separate VAE file (keys without first_stage_model.) and v-prediction
      Path vae = work.resolve("vae.safetensors");
      try (StateDict sd = StateDicts.open(FIXTURE)) {
        SafetensorsWriter w = new SafetensorsWriter();
        sd.entries().forEach((k, e) -> {
          if (k.startsWith("first_stage_model.")) {
            w.add(k.substring("first_stage_model.".length()), e.dtype(), e.shape(), sd.data(k));
          }
        });
        w.write(vae);
      }
      Path withVae = work.resolve("with-vae");
      assertThat(run("convert", FIXTURE.toString(), "--vae", vae.toString(), "--prediction", "v", "--output",
          withVae.toString())).isZero();
      assertThat(Files.readString(withVae.resolve("scheduler/scheduler_config.json"))).contains("v_prediction");
      assertThat(run("convert", FIXTURE.toString(), "--vae", FIXTURE.toString(), "--output", work.resolve("z").toString()))
          .as("a whole model is a VAE file too: its first_stage_model.* keys are used").isZero();
      assertThat(run("convert", FIXTURE.toString(), "--vae", lora.toString(), "--output", work.resolve("w").toString()))
          .isEqualTo(1);
      assertThat(stderr()).contains("is not a Stable Diffusion VAE");
    } finally {
      if (home == null) {
        System.clearProperty("ldm4j.home");
      } else {
        System.setProperty("ldm4j.home", home);
      }
    }
  }

  private static final Path LORA =
      Path.of("..", "checkpoint", "src", "test", "resources", "fixtures", "lora", "sd1_a.safetensors");

  @Test
  void loraOptionMergesInspectsAndRefusesClearly() throws Exception {
    String home = System.getProperty("ldm4j.home");
    System.setProperty("ldm4j.home", work.resolve("home").toString());
    try {
      Path plain = work.resolve("plain");
      Path merged = work.resolve("merged");
      assertThat(run("convert", FIXTURE.toString(), "--output", plain.toString())).isZero();
      assertThat(run("convert", FIXTURE.toString(), "--lora", LORA + ":0.5:1", "--output", merged.toString())).isZero();
      assertThat(Files.mismatch(plain.resolve("unet/model.onnx"), merged.resolve("unet/model.onnx"))).isNotEqualTo(-1L);

      out.reset();
      assertThat(run("inspect", "--model", FIXTURE.toString(), "--lora", LORA.toString())).isZero();
      assertThat(stdout()).contains("\"format\" : \"kohya\"").contains("\"matched\" : 91")
          .contains("\"unmatched_keys\" : 0").contains("\"unet_weight\" : 1.0");
      // LoRAs change no network's ports: inspect describes the one conversion without LoRAs, whatever the set
      assertThat(run("inspect", "--model", FIXTURE.toString(), "--lora", LORA + ":0.25")).isZero();
      try (var s = Files.list(work.resolve("home/checkpoints"))) {
        assertThat(s.filter(p -> p.getFileName().toString().startsWith("sd1-small-fp16-")).count()).isEqualTo(1);
      }

      assertThat(run("convert", FIXTURE.toString(), "--lora", ":1", "--output", work.resolve("x").toString())).isEqualTo(2);
      assertThat(stderr()).contains("--lora ':1': expected FILE[:WEIGHT[:UNET_WEIGHT]]");
      Path unmapped = work.resolve("unmapped.safetensors");
      new SafetensorsWriter().add("lora_unet_nowhere_to_q.lora_down.weight", Tensor.zeros(2, 8))
          .add("lora_unet_nowhere_to_q.lora_up.weight", Tensor.zeros(8, 2)).write(unmapped);
      assertThat(run("convert", FIXTURE.toString(), "--lora", unmapped.toString(), "--output",
          work.resolve("y").toString())).isEqualTo(1);
      assertThat(stderr()).contains(unmapped.toString()).contains("2 of its keys modify no layer of the model")
          .doesNotContain("\tat ");
    } finally {
      if (home == null) {
        System.clearProperty("ldm4j.home");
      } else {
        System.setProperty("ldm4j.home", home);
      }
    }
  }

  @Test
  void ioFailureReasonsAreNeverJustAPath() {
    assertThat(GenerateCommand.reason(new java.nio.file.AccessDeniedException("/proc/forbidden")))
        .isEqualTo("AccessDeniedException (/proc/forbidden)");
    assertThat(GenerateCommand.reason(new java.nio.file.FileSystemException("/a", null, "Read-only file system")))
        .isEqualTo("Read-only file system (/a)");
    assertThat(GenerateCommand.reason(new java.io.IOException("disk full"))).isEqualTo("disk full");
    assertThat(GenerateCommand.reason(new java.io.IOException())).isEqualTo("IOException");
  }

  @Test
  void generateDefaultsAreTheLibrarysDefaults() {
    GenerateCommand generate = new GenerateCommand();
    new CommandLine(generate).parseArgs("--prompt", "x");
    GenerationSettings settings = generate.settings();
    // no --seed: a random one (A1111's range), everything else the library's defaults
    assertThat(settings.seed()).isBetween(0L, (1L << 32) - 1);
    assertThat(settings.toBuilder().seed(GenerationSettings.DEFAULTS.seed()).build()).isEqualTo(GenerationSettings.DEFAULTS);
    assertThat(generate.strength).isEqualTo(Double.parseDouble(GenerationRequest.DEFAULT_STRENGTH));
  }

  @Test
  void seedMinusOneIsRandomAndOtherNegativeSeedsAreRefused() {
    GenerateCommand generate = new GenerateCommand();
    new CommandLine(generate).parseArgs("--prompt", "x", "--seed", "-1");
    java.util.Set<Long> seeds = new java.util.HashSet<>();
    for (int i = 0; i < 8; i++) {
      seeds.add(generate.settings().seed());
    }
    assertThat(seeds).hasSizeGreaterThan(1).allSatisfy(v -> assertThat(v).isBetween(0L, (1L << 32) - 1));
    new CommandLine(generate).parseArgs("--prompt", "x", "--seed", "42");
    assertThat(generate.settings().seed()).isEqualTo(42);
    assertThat(run("generate", "--prompt", "x", "--seed", "-2", "--quiet")).isEqualTo(2);
    assertThat(stderr()).contains("--seed must be ≥ 0, or -1 for a random one, got -2");
  }

  @Test
  void subseedAndSeedResizeBecomeTheSettingsVariation() {
    GenerateCommand generate = new GenerateCommand();
    new CommandLine(generate).parseArgs("--prompt", "x", "--seed", "5", "--subseed", "77", "--subseed-strength", "0.4",
        "--seed-resize", "512x768");
    GenerationSettings s = generate.settings();
    assertThat(s.variation()).contains(new io.github.ldm4j.generate.Variation(77, 0.4));
    assertThat(s.seedResize()).contains(new io.github.ldm4j.generate.SeedResize(512, 768));
    GenerateCommand noStrength = new GenerateCommand();
    new CommandLine(noStrength).parseArgs("--prompt", "x", "--subseed", "77");
    assertThat(noStrength.settings().variation()).isEmpty(); // no strength: no variation, as A1111
    assertThat(run("generate", "--prompt", "x", "--subseed-strength", "0.5", "--quiet")).isEqualTo(2);
    assertThat(stderr()).contains("--subseed-strength needs --subseed");
    assertThat(run("generate", "--prompt", "x", "--subseed", "1", "--subseed-strength", "2", "--quiet")).isEqualTo(2);
    assertThat(stderr()).contains("variation seed strength must be in (0, 1], got 2.0");
    assertThat(run("generate", "--prompt", "x", "--seed-resize", "big", "--quiet")).isEqualTo(2);
    assertThat(stderr()).contains("--seed-resize must be WxH");
  }

  @Test
  void a1111SamplerNamesAreAcceptedAndTyposGetASuggestion() {
    GenerateCommand generate = new GenerateCommand();
    new CommandLine(generate).parseArgs("--prompt", "x", "--sampler", "DPM++ 2M Karras");
    assertThat(generate.settings().sampler()).contains("dpmpp_2m");
    assertThat(generate.settings().scheduler()).contains("karras");
    new CommandLine(generate).parseArgs("--prompt", "x", "--sampler", "Euler a", "--scheduler", "exponential");
    assertThat(generate.settings().sampler()).contains("euler_ancestral");
    assertThat(generate.settings().scheduler()).contains("exponential");
    assertThat(run("generate", "--prompt", "x", "--sampler", "eular", "--quiet")).isEqualTo(2);
    assertThat(stderr()).contains("unknown sampler 'eular'; did you mean 'euler'?").contains("available:");
    err.reset();
    assertThat(run("generate", "--prompt", "x", "--scheduler", "karas", "--quiet")).isEqualTo(2);
    assertThat(stderr()).contains("unknown schedule 'karas'; did you mean 'karras'?");
    err.reset();
    assertThat(run("generate", "--prompt", "x", "--sampler", "zzzzzz", "--quiet")).isEqualTo(2);
    assertThat(stderr()).contains("unknown sampler 'zzzzzz'; available:").doesNotContain("did you mean");
  }

  @Test
  void cfgCutoffSigmaIsASettingAndBadValuesAreUsageErrors() {
    GenerateCommand generate = new GenerateCommand();
    new CommandLine(generate).parseArgs("--prompt", "x", "--cfg-cutoff-sigma", "1.5");
    assertThat(generate.settings().guidanceCutoffSigma()).isEqualTo(1.5);
    assertThat(run("generate", "--prompt", "x", "--cfg-cutoff-sigma", "-1", "--quiet")).isEqualTo(2);
    assertThat(stderr()).contains("CFG cut-off sigma must be finite and >= 0 (0 = off), got -1.0");
    err.reset();
    assertThat(run("generate", "--prompt", "x", "--cfg-cutoff-sigma", "NaN", "--quiet")).isEqualTo(2);
    assertThat(stderr()).contains("got NaN");
  }

  @Test
  void aMistypedCommandGetsASuggestion() {
    assertThat(run("generat", "--prompt", "x")).isEqualTo(2);
    assertThat(stderr()).contains("Did you mean").contains("generate");
  }

  @Test
  void existingOutputsAreNotOverwrittenUnlessAsked() throws Exception {
    Path model = work.resolve("shapes");
    ShapesModel.write(model, ShapesOptions.defaults().withImageSize(128));
    Path output = work.resolve("img.png");
    String[] args = {"generate", "--prompt", "a red circle", "--model", model.toString(), "--width", "128", "--height",
        "128", "--steps", "1", "--seed", "3", "--quiet", "--output", output.toString()};
    assertThat(run(args)).isZero();
    Files.writeString(output, "mine"); // a file the user cares about
    assertThat(run(args)).isZero();
    assertThat(Files.readString(output)).isEqualTo("mine");
    assertThat(work.resolve("img-1.png")).isRegularFile();
    assertThat(stdout()).contains(work.resolve("img-1.png").toString());
    assertThat(run(args)).isZero();
    assertThat(work.resolve("img-2.png")).isRegularFile();
    String[] overwrite = java.util.Arrays.copyOf(args, args.length + 1);
    overwrite[args.length] = "--overwrite";
    assertThat(run(overwrite)).isZero();
    assertThat(Files.readAllBytes(output)).startsWith(0x89, 'P', 'N', 'G');
  }

  @Test
  void outputFilesSkipExistingNames() throws Exception {
    Path out = work.resolve("b.png");
    assertThat(GenerateCommand.outputFiles(out, 2, false)).containsExactly(work.resolve("b-0.png"), work.resolve("b-1.png"));
    Files.writeString(work.resolve("b-1.png"), "x");
    assertThat(GenerateCommand.outputFiles(out, 2, false)).containsExactly(work.resolve("b-0.png"), work.resolve("b-2.png"));
    assertThat(GenerateCommand.outputFiles(out, 2, true)).containsExactly(work.resolve("b-0.png"), work.resolve("b-1.png"));
    assertThat(GenerateCommand.outputFiles(out, 1, false)).containsExactly(out);
    Files.writeString(out, "x");
    assertThat(GenerateCommand.outputFiles(out, 1, false)).containsExactly(work.resolve("b-2.png"));
  }

  @Test
  void progressShowsElapsedAndEtaOnATerminalAndPlainLinesElsewhere() {
    var e = new io.github.ldm4j.generate.ProgressEvent(5, 20, 1.0, java.util.Optional.empty());
    String plain = new GenerateCommand.ProgressBar(System.err, false, 2, false).line(e, 10);
    assertThat(plain).isEqualTo("step 5/20 (2 images) 10.0s elapsed, ETA 30.0s" + System.lineSeparator());
    String bar = new GenerateCommand.ProgressBar(System.err, false, 1, true).line(e, 75);
    assertThat(bar).startsWith("\rstep 5/20 [========").endsWith("0.07 steps/s 1:15 elapsed, ETA 3:45");
  }

  @Test
  void tokenizeReadsTheA1111SyntaxUnlessRaw() {
    assertThat(run("tokenize", "--prompt", "a (photo:1.2) of a [cat] <lora:x:1>")).isZero();
    // the text the encoder sees is "a photo of a cat": facts.md §5's ids
    assertThat(stdout().trim()).isEqualTo("[49406,320,1125,539,320,2368,49407]");
    out.reset();
    assertThat(run("tokenize", "--prompt", "a (photo:1.2) of a [cat]", "--weights")).isZero();
    assertThat(stdout().trim()).isEqualTo("{\"ids\":[49406,320,1125,539,320,2368,49407],"
        + "\"weights\":[1,1,1.2,1,1,0.9090909090909091,1]}");
    out.reset();
    assertThat(run("tokenize", "--prompt", "a (photo:1.2)", "--raw")).isZero();
    assertThat(stdout().trim()).isNotEqualTo("[49406,320,1125,49407]").startsWith("[49406,320,");
  }

  @Test
  void batchOutputsAreNumbered() {
    assertThat(GenerateCommand.numbered(Path.of("out", "shape.png"), 1)).isEqualTo(Path.of("out", "shape-1.png"));
    assertThat(GenerateCommand.numbered(Path.of("shape"), 0)).isEqualTo(Path.of("shape-0"));
  }

  @Test
  void messagesPreferTheExtensionsOwn() {
    Exception e = new RuntimeException("wrapper", new IllegalStateException("ldm4j: cannot open model \"default\" from /x"));
    assertThat(Ldm4jCommand.message(e)).isEqualTo("cannot open model \"default\" from /x");
    assertThat(Ldm4jCommand.message(new RuntimeException(null, new IllegalStateException("inner")))).isEqualTo("inner");
    assertThat(Ldm4jCommand.message(new NullPointerException())).isEqualTo("NullPointerException");
    Exception startup = new RuntimeException("Failed to start quarkus", new IllegalArgumentException("property p: bad"));
    assertThat(Ldm4jCommand.startupMessage(startup)).isEqualTo("property p: bad");
  }

  @Test
  void aBlankPromptIsAUsageErrorAsOnTheServer() {
    for (String blank : new String[] {"", "   ", "\t"}) {
      assertThat(run("generate", "--prompt", blank, "--quiet", "--output", work.resolve("b.png").toString()))
          .as("'%s'", blank).isEqualTo(2);
      assertThat(stderr()).contains("prompt is required and must not be blank");
    }
    assertThat(work.resolve("b.png")).doesNotExist();
    assertThat(stdout()).isEmpty();
  }

  @Test
  void strengthWithoutAnInitImageIsAUsageError() {
    assertThat(run("generate", "--prompt", "x", "--strength", "0.5", "--quiet", "--output",
        work.resolve("s.png").toString())).isEqualTo(2);
    assertThat(stderr()).contains("--strength needs --init-image");
    assertThat(work.resolve("s.png")).doesNotExist();
  }

  @Test
  void anInitImageThatIsAFolderIsNamedAsSuch() throws Exception {
    Path dir = Files.createDirectories(work.resolve("images"));
    assertThat(run("generate", "--prompt", "x", "--init-image", dir.toString(), "--quiet")).isEqualTo(2);
    assertThat(stderr()).contains("--init-image " + dir + " is a directory, not an image file")
        .doesNotContain("does not exist");
    assertThat(run("generate", "--prompt", "x", "--init-image", work.resolve("none.png").toString(), "--quiet"))
        .isEqualTo(2);
    assertThat(stderr()).contains("does not exist");
  }

  @Test
  void aModelIndexThatIsNotAnObjectIsARuntimeFailure() throws Exception {
    Path model = work.resolve("shapes");
    ShapesModel.write(model, ShapesOptions.defaults().withImageSize(128));
    Files.writeString(model.resolve("model_index.json"), "[1, 2]");
    assertThat(run("generate", "--prompt", "x", "--model", model.toString(), "--width", "128", "--height", "128",
        "--steps", "1", "--quiet", "--output", work.resolve("i.png").toString())).isEqualTo(1);
    assertThat(stderr()).contains("model_index.json").contains("expected a JSON object").doesNotContain("\tat ");
    assertThat(work.resolve("i.png")).doesNotExist();
  }

  @Test
  void aModelWithoutTokenizerWarnsNamingTheFallback() throws Exception {
    Path model = work.resolve("shapes");
    ShapesModel.write(model, ShapesOptions.defaults().withImageSize(128));
    try (var files = Files.walk(model.resolve("tokenizer"))) {
      for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
    assertThat(run("generate", "--prompt", "a red circle", "--model", model.toString(), "--width", "128",
        "--height", "128", "--steps", "1", "--quiet", "--output", work.resolve("t.png").toString())).isEqualTo(0);
    assertThat(stderr()).contains("warning: " + model + " has no tokenizer/")
        .contains("OpenAI's CLIP vocabulary (built in)");
  }
}
