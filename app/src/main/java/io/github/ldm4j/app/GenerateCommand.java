package io.github.ldm4j.app;

import io.github.ldm4j.conditioning.prompt.ExtraNetworkPrompt;
import io.github.ldm4j.checkpoint.embedding.EmbeddingFiles;
import io.github.ldm4j.conditioning.embedding.TextualInversion;
import io.github.ldm4j.conditioning.prompt.ExtraNetworks;
import io.github.ldm4j.folder.ModelComponent;
import io.github.ldm4j.folder.ModelFolder;
import io.github.ldm4j.generate.GeneratedImage;
import io.github.ldm4j.generate.GenerationLimits;
import io.github.ldm4j.generate.GenerationRequest;
import io.github.ldm4j.generate.GenerationResult;
import io.github.ldm4j.generate.GenerationSettings;
import io.github.ldm4j.generate.SeedResize;
import io.github.ldm4j.generate.Variation;
import io.github.ldm4j.generate.Generator;
import io.github.ldm4j.generate.HiresFix;
import io.github.ldm4j.generate.HiresUpscaler;
import io.github.ldm4j.generate.ProgressEvent;
import io.github.ldm4j.generate.ProgressListener;
import io.github.ldm4j.image.Mask;
import io.github.ldm4j.image.PngCodec;
import io.github.ldm4j.image.Quantization;
import io.github.ldm4j.image.RgbImage;
import io.github.ldm4j.random.RngKind;
import io.github.ldm4j.sampler.CancellationToken;
import io.github.ldm4j.sampler.Samplers;
import io.github.ldm4j.samplers.SamplerNames;
import io.github.ldm4j.samplers.StepSchedulers;
import io.github.ldm4j.spi.BackendOptions;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code ldm4j generate}: txt2img, img2img ({@code --init-image}) and inpainting ({@code --mask}). */
@Command(name = "generate", mixinStandardHelpOptions = true,
    description = "Generates images. Without --model it uses the embedded shapes demo model (try \"a red circle\").")
final class GenerateCommand implements Callable<Integer> {

  @Option(names = "--prompt", required = true, description = "The prompt (AUTOMATIC1111 weighting syntax allowed; "
      + "<lora:NAME:WEIGHT>, <lora:NAME:TE:UNET> or <lora:NAME:te=W:unet=W> tags select LoRAs from the library's Lora "
      + "folder and are taken out of the text; a word naming an embedding of the library's embeddings folder is replaced "
      + "by its vectors).")
  String prompt;

  @Option(names = "--negative-prompt", defaultValue = "", description = "The negative prompt.")
  String negativePrompt;

  @Option(names = "--model", description = "A checkpoint file (.safetensors, .ckpt; SD 1.x or 2.x, CompVis layout: converted once "
      + "and cached; LoRAs are applied to that one conversion when the model is opened), a model folder (diffusers/optimum ONNX layout) or the NAME of a checkpoint in "
      + "the library (--models-dir). Default: the embedded demo model.")
  Path model;

  @Mixin CheckpointOptions checkpointOptions;

  @Mixin BackendChoice backendChoice;

  @Option(names = "--sampler", description = "Sampler (see `ldm4j samplers`), or its AUTOMATIC1111 name (\"Euler a\", "
      + "\"DPM++ 2M Karras\": the suffix picks the schedule). Default: the model's own.")
  String sampler;

  @Option(names = "--scheduler", description = "Step schedule (see `ldm4j samplers`; A1111 labels such as \"Karras\" too); "
      + "overrides a sampler name's suffix. Default: the model's own.")
  String scheduler;

  @Option(names = "--steps", defaultValue = GenerationSettings.DEFAULT_STEPS,
      description = "Sampler steps (default ${DEFAULT-VALUE}).")
  int steps;

  @Option(names = "--guidance-scale", defaultValue = GenerationSettings.DEFAULT_GUIDANCE_SCALE,
      description = "Classifier-free guidance scale (default ${DEFAULT-VALUE}).")
  double guidanceScale;

  @Option(names = "--cfg-cutoff-sigma", defaultValue = GenerationSettings.DEFAULT_GUIDANCE_CUTOFF_SIGMA,
      description = "CFG cut-off: steps at a σ below this skip the negative-prompt (unconditional) UNet pass, "
          + "about half the work of such a step (AUTOMATIC1111's \"Negative Guidance minimum sigma\", s_min_uncond, "
          + "on every step). 0 = off (default ${DEFAULT-VALUE}).")
  double cfgCutoffSigma;

  @Option(names = "--seed", description = "Seed; image i of a batch uses seed + i. -1 or none: a random seed, printed "
      + "on stderr and written to the PNG parameters.")
  Long seed;

  @Option(names = "--subseed", description = "AUTOMATIC1111's variation seed: each image's noise is moved toward this "
      + "seed's noise by --subseed-strength; every image keeps --seed and image i takes subseed + i. -1: a random one.")
  Long subseed;

  @Option(names = "--subseed-strength", description = "Variation seed strength in (0, 1] (needs --subseed; 0 or none: "
      + "no variation).")
  Double subseedStrength;

  @Option(names = "--seed-resize", paramLabel = "WxH", description = "AUTOMATIC1111's \"resize seed from\": draw the "
      + "seed's noise as for a WxH image and centre it in this size's noise.")
  String seedResize;

  @Option(names = "--rng", defaultValue = GenerationSettings.DEFAULT_RNG,
      description = "Seed interpretation: torch or numpy (default ${DEFAULT-VALUE}).")
  String rng;

  @Option(names = "--width", defaultValue = GenerationSettings.DEFAULT_WIDTH,
      description = "Width, a multiple of 8 (default ${DEFAULT-VALUE}).")
  int width;

  @Option(names = "--height", defaultValue = GenerationSettings.DEFAULT_HEIGHT,
      description = "Height, a multiple of 8 (default ${DEFAULT-VALUE}).")
  int height;

  @Option(names = "--batch-size", defaultValue = GenerationSettings.DEFAULT_BATCH_SIZE,
      description = "Images per prompt (default ${DEFAULT-VALUE}).")
  int batchSize;

  @Option(names = "--clip-skip", defaultValue = GenerationSettings.DEFAULT_CLIP_SKIP,
      description = "CLIP skip: 1 = last layer, 2 = penultimate, … (default ${DEFAULT-VALUE}).")
  int clipSkip;

  @Option(names = "--quantize", defaultValue = GenerationSettings.DEFAULT_QUANTIZE,
      description = "8-bit conversion: round (diffusers) or truncate (CompVis/AUTOMATIC1111 PNGs, bit for bit) "
          + "(default ${DEFAULT-VALUE}).")
  String quantize;

  @Option(names = "--init-image", description = "img2img: the starting image (PNG/JPEG).")
  Path initImage;

  @Option(names = "--strength", defaultValue = GenerationRequest.DEFAULT_STRENGTH,
      description = "img2img/inpainting strength in (0, 1] (default ${DEFAULT-VALUE}).")
  double strength;

  @Option(names = "--mask", description = "Inpainting: mask image, white = regenerate (needs --init-image).")
  Path mask;

  @Option(names = "--hires-scale", description = "Hires fix (AUTOMATIC1111's): generate at --width x --height, upscale "
      + "by this factor in [1, 8] (e.g. " + HiresFix.DEFAULT_SCALE + "), then refine with an img2img pass at that size.")
  Double hiresScale;

  @Option(names = "--hires-size", paramLabel = "WxH", description = "Hires fix to this size (multiples of 8; W or H 0 "
      + "keeps the aspect ratio; another aspect is covered, then cropped, as A1111's hr_resize_x/y).")
  String hiresSize;

  @Option(names = "--hires-upscaler", paramLabel = "NAME", description = "Hires upscaler, by A1111's name: Latent, "
      + "\"Latent (antialiased)\", \"Latent (bicubic)\", \"Latent (bicubic antialiased)\", \"Latent (nearest)\", "
      + "\"Latent (nearest-exact)\", Lanczos, Nearest (default " + HiresUpscaler.DEFAULT + ").")
  String hiresUpscaler;

  @Option(names = "--hires-steps", description = "Hires second-pass steps; 0 = as --steps (default 0).")
  Integer hiresSteps;

  @Option(names = "--hires-strength", description = "Hires denoising strength in (0, 1] (default "
      + GenerationRequest.DEFAULT_STRENGTH + ").")
  Double hiresStrength;

  @Option(names = "--output", defaultValue = "ldm4j.png", description = "Output PNG; batches write NAME-0.png, NAME-1.png, …; "
      + "a name that exists is not overwritten: the next free NAME-K.png is used (default ${DEFAULT-VALUE}).")
  Path output;

  @Option(names = "--overwrite", description = "Write to --output (and NAME-0.png, … for batches) even when they exist.")
  boolean overwrite;

  @Option(names = "--quiet", description = "No progress bar.")
  boolean quiet;

  @Option(names = "--verbose", description = "Print stack traces on failure.")
  boolean verbose;

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    try {
      GenerationRequest.requireUserPrompt(prompt); // the server's rule too
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("--prompt: " + e.getMessage(), e);
    }
    if (mask != null && initImage == null) {
      throw new IllegalArgumentException("--mask needs --init-image (the image to inpaint)");
    }
    if (initImage == null && spec != null && spec.commandLine().getParseResult().hasMatchedOption("--strength")) {
      throw new IllegalArgumentException("--strength needs --init-image (it sets how much of that image changes)");
    }
    GenerationSettings settings = settings();
    String backend = backendChoice.backend();
    ExtraNetworkPrompt tagged = ExtraNetworks.parse(prompt); // malformed or unsupported tags: exit 2
    ExtraNetworks.requireNone(negativePrompt);
    checkpointOptions.selectPromptLoras(tagged.loras());
    GenerationRequest request = request(settings, tagged.prompt());
    checkpointOptions.export(GenerationSettings.DEFAULTS.width()); // a bad --weights, --prediction, --precision: exit 2
    Path checkpoint = model == null ? null : checkpointOptions.resolveModel(model);
    if (checkpoint == null && !checkpointOptions.loras().isEmpty()) {
      throw new IllegalArgumentException("LoRAs (--lora, <lora:…> in the prompt) need a --model: a checkpoint, or a folder ldm4j converted");
    }
    Path modelDir = checkpoint != null
        ? checkpointOptions.baseFolder(checkpoint, backendChoice.options().placementFor(ModelComponent.UNET, backend))
        : DemoModel.ensure();
    var provenance = checkpointOptions.provenance(prompt, negativePrompt, checkpoint);
    PrintStream err = System.err;
    tokenizerWarning(modelDir).ifPresent(w -> err.println("warning: " + w));
    EmbeddingFiles.Loaded embeddings = checkpointOptions.embeddings();
    embeddings.problems().forEach(p -> err.println("warning: " + p));
    try (Generator generator = open(checkpoint != null ? checkpoint : modelDir, backend, embeddings.embeddings())) {
      // a prompt naming an embedding that cannot be used (another width, a text encoder without a findable
      // token-embedding table) fails here, before any sampling, with the reason
      provenance = checkpointOptions.withTiHashes(provenance, embeddings, generator.embeddingsIn(request));
      if (seed == null || seed == GenerationSettings.RANDOM_SEED) {
        err.println("seed: " + settings.seed()); // once the model is open: failures before it print only why
      }
      if (subseed != null && subseed == GenerationSettings.RANDOM_SEED) {
        settings.variation().ifPresent(v -> err.println("subseed: " + v.subseed()));
      }
      ProgressBar bar = new ProgressBar(err, quiet, settings.batchSize(), terminal());
      GenerationResult result = generator.generate(request, provenance, bar, CancellationToken.none());
      bar.done();
      result.warnings().forEach(w -> err.println("warning: " + w));
      List<GeneratedImage> images = result.images();
      List<Path> files = outputFiles(output, images.size(), overwrite);
      for (int i = 0; i < images.size(); i++) {
        Path file = files.get(i);
        write(file, images.get(i).png());
        System.out.println(file);
      }
    }
    return 0;
  }

  /** The settings the options give; throws {@link IllegalArgumentException} (a usage error) for invalid ones. */
  GenerationSettings settings() {
    SamplerNames.Selection chosen = SamplerNames.fromDisplayNames(sampler, scheduler);
    chosen.sampler().ifPresent(Samplers::create); // unknown: "did you mean …", exit 2
    chosen.schedule().ifPresent(StepSchedulers::create);
    if (seed != null && seed < 0 && seed != GenerationSettings.RANDOM_SEED) {
      throw new IllegalArgumentException("--seed must be ≥ 0, or -1 for a random one, got " + seed);
    }
    long s = seed == null || seed == GenerationSettings.RANDOM_SEED ? GenerationSettings.randomSeed() : seed;
    return GenerationSettings.builder().size(width, height).steps(steps)
        .sampler(chosen.sampler().orElse(null), chosen.schedule().orElse(null))
        .guidance(guidanceScale).guidanceCutoff(cfgCutoffSigma).seed(s, RngKind.fromName(rng)).batchSize(batchSize).clipSkip(clipSkip)
        .quantize(Quantization.fromName(quantize)).variation(variation()).seedResize(seedResize()).build();
  }

  /** The variation seed the options ask for; null for none. */
  private Variation variation() {
    if (subseedStrength == null || subseedStrength == 0) {
      return null;
    }
    if (subseed == null) {
      throw new IllegalArgumentException("--subseed-strength needs --subseed (-1 for a random one)");
    }
    if (subseed < 0 && subseed != GenerationSettings.RANDOM_SEED) {
      throw new IllegalArgumentException("--subseed must be ≥ 0, or -1 for a random one, got " + subseed);
    }
    return new Variation(subseed == GenerationSettings.RANDOM_SEED ? GenerationSettings.randomSeed() : subseed,
        subseedStrength);
  }

  /** The seed resize size the options ask for; null for none. */
  private SeedResize seedResize() {
    if (seedResize == null) {
      return null;
    }
    String[] wh = seedResize.trim().split("[xX]");
    try {
      if (wh.length == 2) {
        return new SeedResize(Integer.parseInt(wh[0].trim()), Integer.parseInt(wh[1].trim()));
      }
    } catch (NumberFormatException e) {
      // refused below
    }
    throw new IllegalArgumentException("--seed-resize must be WxH in pixels, e.g. 512x768, got '" + seedResize + "'");
  }

  /** Whether stderr is an interactive terminal (else progress is written as plain lines). */
  static boolean terminal() {
    java.io.Console c = System.console();
    return c != null && c.isTerminal();
  }

  /**
   * Writes {@code png} to {@code file}, creating its folder.
   *
   * @throws IllegalStateException "cannot write FILE: REASON" (a runtime failure, exit 1)
   */
  static void write(Path file, byte[] png) {
    try {
      Path parent = file.toAbsolutePath().getParent();
      if (parent != null) {
        Files.createDirectories(parent);
      }
      Files.write(file, png);
    } catch (IOException e) {
      throw new IllegalStateException("cannot write " + file + ": " + reason(e), e);
    }
  }

  /**
   * Why an I/O operation failed: a file-system exception's reason, else the message unless it is
   * only the path (as for {@code AccessDeniedException: /proc/x}), else the exception's type.
   */
  static String reason(IOException e) {
    if (e instanceof java.nio.file.FileSystemException f) {
      String kind = e.getClass().getSimpleName();
      String what = f.getOtherFile() == null ? f.getFile() : f.getFile() + " -> " + f.getOtherFile();
      return f.getReason() != null ? f.getReason() + (what == null ? "" : " (" + what + ")")
          : kind + (what == null ? "" : " (" + what + ")");
    }
    return e.getMessage() == null || e.getMessage().isBlank() ? e.getClass().getSimpleName() : e.getMessage();
  }

  /**
   * Opens the model (a checkpoint with its LoRAs applied at load time to its conversion without them)
   * with the library's {@code embeddings}; any failure, an unsupported model contract included, is a
   * runtime failure (exit 1).
   */
  private Generator open(Path model, String backend, List<TextualInversion> embeddings) throws IOException {
    BackendOptions options = backendChoice.options(); // a bad --place is a usage error (exit 2)
    try {
      return checkpointOptions.open(model, backend, options, GenerationLimits.DEFAULTS, embeddings);
    } catch (IllegalArgumentException e) {
      throw new IllegalStateException(e.getMessage(), e);
    }
  }

  private GenerationRequest request(GenerationSettings s, String prompt) throws IOException {
    java.util.Optional<HiresFix> hires = hires();
    if (hires.isPresent() && initImage != null) {
      throw new IllegalArgumentException("the --hires-* options are for text-to-image; drop --init-image or them");
    }
    if (initImage == null) {
      try {
        return new GenerationRequest.TextToImage(prompt, negativePrompt, s, hires);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException((hiresScale != null ? "--hires-scale: " : "--hires-size: ") + e.getMessage(), e);
      }
    }
    RgbImage image = read(initImage, "--init-image");
    if (mask == null) {
      return new GenerationRequest.ImageToImage(prompt, negativePrompt, s, image, strength);
    }
    Mask m = Mask.fromImage(read(mask, "--mask"));
    return new GenerationRequest.Inpainting(prompt, negativePrompt, s, image, m, strength);
  }

  /**
   * The hires fix the {@code --hires-*} options ask for; empty without {@code --hires-scale} and
   * {@code --hires-size}.
   *
   * @throws IllegalArgumentException naming the option, for a bad value or a lone companion option
   */
  java.util.Optional<HiresFix> hires() {
    if (hiresScale == null && hiresSize == null) {
      for (String o : new String[] {"--hires-upscaler", "--hires-steps", "--hires-strength"}) {
        boolean given = switch (o) {
          case "--hires-upscaler" -> hiresUpscaler != null;
          case "--hires-steps" -> hiresSteps != null;
          default -> hiresStrength != null;
        };
        if (given) {
          throw new IllegalArgumentException(o + " needs --hires-scale or --hires-size (they turn the hires fix on)");
        }
      }
      return java.util.Optional.empty();
    }
    if (hiresScale != null && hiresSize != null) {
      throw new IllegalArgumentException("--hires-scale and --hires-size are mutually exclusive");
    }
    HiresFix.Target target;
    if (hiresScale != null) {
      target = option("--hires-scale", () -> new HiresFix.Scale(hiresScale));
    } else {
      java.util.regex.Matcher m = java.util.regex.Pattern.compile("(\\d{1,5})[xX](\\d{1,5})").matcher(hiresSize.strip());
      if (!m.matches()) {
        throw new IllegalArgumentException("--hires-size must be WIDTHxHEIGHT (e.g. 1024x1024, or 1024x0), got \"" + hiresSize + "\"");
      }
      target = option("--hires-size", () -> new HiresFix.Size(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2))));
    }
    HiresUpscaler upscaler = option("--hires-upscaler",
        () -> HiresUpscaler.fromName(hiresUpscaler == null ? HiresUpscaler.DEFAULT : hiresUpscaler));
    double strength = hiresStrength == null ? Double.parseDouble(GenerationRequest.DEFAULT_STRENGTH) : hiresStrength;
    int steps = hiresSteps == null ? 0 : hiresSteps;
    String which = hiresSteps != null && hiresSteps < 0 ? "--hires-steps" : "--hires-strength";
    return java.util.Optional.of(option(which, () -> new HiresFix(target, upscaler, steps, strength)));
  }

  /** {@code make}'s value; its {@link IllegalArgumentException} prefixed with {@code option}. */
  private static <T> T option(String option, java.util.function.Supplier<T> make) {
    try {
      return make.get();
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(option + ": " + e.getMessage(), e);
    }
  }

  /**
   * The warning for a model folder without {@code tokenizer/}: its prompts are tokenized with the
   * built-in vocabulary ({@code ClipTokenizer.forModel}), right for SD 1.x, wrong for a model
   * trained with another; empty when the folder has one (or cannot be read: opening it says why).
   */
  static java.util.Optional<String> tokenizerWarning(Path modelDir) {
    try {
      ModelFolder folder = ModelFolder.open(modelDir, java.util.EnumSet.allOf(ModelFolder.Format.class));
      return folder.tokenizerDir().isPresent() ? java.util.Optional.empty()
          : java.util.Optional.of(modelDir + " has no tokenizer/ folder: prompts are tokenized with OpenAI's CLIP"
              + " vocabulary (built in), SD 1.x's; a model trained with another tokenizer needs its own tokenizer/");
    } catch (IOException | RuntimeException e) {
      return java.util.Optional.empty();
    }
  }

  private static RgbImage read(Path file, String option) throws IOException {
    if (Files.isDirectory(file)) {
      throw new IllegalArgumentException(option + " " + file + " is a directory, not an image file");
    }
    if (!Files.isRegularFile(file)) {
      throw new IllegalArgumentException(option + " " + file + " does not exist");
    }
    try {
      return PngCodec.decode(Files.readAllBytes(file), GenerationLimits.DEFAULTS.maxPixels()).image();
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(option + " " + file + ": " + e.getMessage(), e);
    }
  }

  static Path numbered(Path output, int i) {
    String name = output.getFileName().toString();
    int dot = name.toLowerCase(Locale.ROOT).endsWith(".png") ? name.length() - 4 : name.length();
    String n = name.substring(0, dot) + "-" + i + name.substring(dot);
    return output.resolveSibling(n);
  }

  /**
   * The files {@code count} images are written to. With {@code overwrite}, or when they are free:
   * {@code output} for one image, {@code NAME-0.png … NAME-(count−1).png} for a batch. Otherwise no
   * existing file is replaced: one image goes to the first free {@code NAME-K.png} (K ≥ 1), a batch
   * to the first {@code count} free {@code NAME-K.png} from K = 0 on, as AUTOMATIC1111 numbers its
   * outputs instead of overwriting them.
   */
  static List<Path> outputFiles(Path output, int count, boolean overwrite) {
    List<Path> plain = count == 1 ? List.of(output) : java.util.stream.IntStream.range(0, count)
        .mapToObj(i -> numbered(output, i)).toList();
    if (overwrite || plain.stream().noneMatch(Files::exists)) {
      return plain;
    }
    List<Path> free = new java.util.ArrayList<>();
    for (int k = count == 1 ? 1 : 0; free.size() < count; k++) {
      Path p = numbered(output, k);
      if (!Files.exists(p)) {
        free.add(p);
      }
    }
    return free;
  }

  /**
   * Progress on stderr: on a terminal one redrawn line (step, bar, steps/s, elapsed, ETA), else one
   * plain line per step, for logs and pipes.
   */
  static final class ProgressBar implements ProgressListener {
    private final PrintStream out;
    private final boolean quiet;
    private final int images;
    private final boolean terminal;
    private final long start = System.nanoTime();
    private boolean drawn;

    ProgressBar(PrintStream out, boolean quiet, int images, boolean terminal) {
      this.out = out;
      this.quiet = quiet;
      this.images = images;
      this.terminal = terminal;
    }

    @Override
    public void onProgress(ProgressEvent e) {
      if (quiet) {
        return;
      }
      out.print(line(e, (System.nanoTime() - start) / 1e9));
      out.flush();
      drawn = true;
    }

    /** The text written for {@code e} after {@code secs} seconds. */
    String line(ProgressEvent e, double secs) {
      double rate = e.step() / Math.max(secs, 1e-9);
      double eta = (e.totalSteps() - e.step()) / Math.max(rate, 1e-9);
      String what = images == 1 ? "" : " (" + images + " images)";
      if (!terminal) {
        return String.format(Locale.ROOT, "step %d/%d%s %.1fs elapsed, ETA %.1fs%n", e.step(), e.totalSteps(), what, secs,
            eta);
      }
      int width = 30;
      int filled = (int) Math.round(e.fraction() * width);
      return String.format(Locale.ROOT, "\rstep %d/%d%s [%s%s] %.2f steps/s %s elapsed, ETA %s", e.step(), e.totalSteps(),
          what, "=".repeat(filled), " ".repeat(width - filled), rate, clock(secs), clock(eta));
    }

    /** m:ss. */
    static String clock(double secs) {
      long s = Math.round(secs);
      return String.format(Locale.ROOT, "%d:%02d", s / 60, s % 60);
    }

    void done() {
      if (drawn && terminal) {
        out.println();
      }
    }
  }
}
