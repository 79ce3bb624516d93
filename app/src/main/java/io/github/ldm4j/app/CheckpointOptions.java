package io.github.ldm4j.app;

import io.github.ldm4j.checkpoint.embedding.EmbeddingFiles;
import io.github.ldm4j.checkpoint.library.FileHashes;
import io.github.ldm4j.checkpoint.library.ModelKind;
import io.github.ldm4j.checkpoint.library.ModelLibrary;
import io.github.ldm4j.checkpoint.library.ModelSelection;
import io.github.ldm4j.checkpoint.library.NamedLora;
import io.github.ldm4j.checkpoint.lora.AppliedLora;
import io.github.ldm4j.checkpoint.lora.LoraSet;
import io.github.ldm4j.checkpoint.sd.CheckpointFolders;
import io.github.ldm4j.checkpoint.sd.CheckpointGenerators;
import io.github.ldm4j.checkpoint.sd.ConvertedFolder;
import io.github.ldm4j.checkpoint.sd.InferenceConfig;
import io.github.ldm4j.checkpoint.sd.SdCheckpoint;
import io.github.ldm4j.checkpoint.sd.SdFolderExport;
import io.github.ldm4j.export.folder.ExportFlavor;
import io.github.ldm4j.export.folder.Precision;
import io.github.ldm4j.export.folder.PrecisionChoice;
import io.github.ldm4j.conditioning.embedding.TextualInversion;
import io.github.ldm4j.conditioning.prompt.LoraTag;
import io.github.ldm4j.export.onnx.WeightStorage;
import io.github.ldm4j.folder.Ldm4jHome;
import io.github.ldm4j.generate.GenerationLimits;
import io.github.ldm4j.generate.Generator;
import io.github.ldm4j.generate.Provenance;
import io.github.ldm4j.folder.ModelComponent;
import io.github.ldm4j.spi.BackendOptions;
import io.github.ldm4j.model.Parameterization;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import io.github.ldm4j.spi.Placement;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine.Option;

/**
 * How a checkpoint file becomes a model folder ({@code --weights}, {@code --vae}, {@code
 * --prediction}, {@code --precision}, {@code --config}, {@code --lora}) and where names are looked
 * up ({@code --models-dir}, {@code --checkpoints-dir}, {@code --vae-dir}, {@code --lora-dir}: a
 * {@link ModelLibrary}), shared by {@code convert}, {@code generate}, {@code inspect} and {@code
 * serve}.
 */
final class CheckpointOptions {

  @Option(names = "--models-dir", paramLabel = "DIR",
      description = "A model library laid out as AUTOMATIC1111's models/ folder: Stable-diffusion/ (checkpoints), VAE/, "
          + "Lora/, embeddings/. --model, --vae and --lora take a NAME from it (sub/NAME for sub-folders, extension "
          + "optional) where they are not an existing path, <lora:NAME:WEIGHT> in the prompt selects LoRAs from Lora/, and a "
          + "word of the prompt or negative prompt that names a textual-inversion embedding of embeddings/ (its file name "
          + "without extension) is replaced by its vectors.")
  Path modelsDir;

  @Option(names = "--checkpoints-dir", paramLabel = "DIR", description = "The checkpoint folder. Default: MODELS_DIR/Stable-diffusion.")
  Path checkpointsDir;

  @Option(names = "--vae-dir", paramLabel = "DIR", description = "The VAE folder. Default: MODELS_DIR/VAE.")
  Path vaeDir;

  @Option(names = "--lora-dir", paramLabel = "DIR", description = "The LoRA folder. Default: MODELS_DIR/Lora.")
  Path loraDir;

  @Option(names = "--embeddings-dir", paramLabel = "DIR",
      description = "The textual-inversion embeddings folder (.pt, .safetensors, .bin). Default: MODELS_DIR/embeddings.")
  Path embeddingsDir;

  @Option(names = "--weights", defaultValue = "model",
      description = "UNet weights of a checkpoint: model (default, as CompVis' v1-inference.yaml) or ema (its model_ema copy).")
  String weights = "model";

  @Option(names = "--vae", paramLabel = "FILE|NAME", description = "A VAE file (.safetensors, .ckpt; keys with or without "
      + "first_stage_model.) replacing the checkpoint's VAE, or the NAME of one in the library's VAE folder.")
  String vae;

  @Option(names = "--prediction",
      description = "What the checkpoint's UNet predicts: eps (SD 1.x, SD 2.x 512-base), v (SD 2.x 768-v, v-prediction "
          + "fine-tunes) or x0. Default: the config's parameterization, else eps.")
  String prediction;

  @Option(names = "--config", description = "A CompVis inference config (.yaml) for what the checkpoint's tensors cannot "
      + "tell (num_heads / num_head_channels, parameterization, scale_factor; its conditioning_key, crossattn or hybrid, "
      + "must match the UNet's). Default: CHECKPOINT.yaml beside it, if any.")
  Path config;

  @Option(names = "--precision",
      description = "Weights and tensors of the converted networks: auto (default: fp16 when the UNet runs on a GPU — "
          + "onnx on cuda, tensorrt, directml or coreml, openvino on a GPU — else fp32), fp32 (runs on every CPU), fp16, "
          + "int8 (the UNet's conv and linear weights int8 per output channel, dequantized in the graph: "
          + "a quarter of their size; text encoder and VAE fp32), or int8-linear (only the UNet's linear weights int8, "
          + "its convolutions fp32: the faster int8 on a CPU); see docs/benchmarks.md for their speed and fidelity. "
          + "serve and worker pass it on as quarkus.ldm4j.precision (library checkpoints, LoRA sets).")
  String precision;

  @Option(names = "--lora", paramLabel = "FILE[:WEIGHT[:UNET_WEIGHT]]",
      description = "A LoRA merged into the checkpoint's weights (kohya / A1111 LoRA or LoCon, diffusers / PEFT; "
          + ".safetensors or .pt; a file or the NAME of one in the library's Lora folder), at WEIGHT (default 1) for the "
          + "text encoder and UNET_WEIGHT (default WEIGHT) for the UNet, as A1111's <lora:name:te:unet>. Repeatable: "
          + "several LoRAs stack. On a checkpoint, or for generate also a model folder ldm4j converted.")
  List<String> lora = new ArrayList<>();

  /** The LoRAs the prompt's tags select ({@link #selectPromptLoras}), by the name the prompt mentions. */
  private final List<NamedLora> promptLoras = new ArrayList<>();

  private ModelLibrary library;

  private FileHashes hashes;

  /** The hash cache: in the ldm4j home, so a checkpoint is hashed once per version. */
  FileHashes hashes() {
    if (hashes == null) {
      hashes = new FileHashes(Optional.of(Ldm4jHome.path().resolve("hashes.tsv")));
    }
    return hashes;
  }

  /** The model library the options name, if any. */
  Optional<ModelLibrary> library() {
    if (library == null
        && (modelsDir != null || checkpointsDir != null || vaeDir != null || loraDir != null || embeddingsDir != null)) {
      Map<ModelKind, Path> overrides = new EnumMap<>(ModelKind.class);
      Optional.ofNullable(checkpointsDir).ifPresent(p -> overrides.put(ModelKind.CHECKPOINT, p));
      Optional.ofNullable(vaeDir).ifPresent(p -> overrides.put(ModelKind.VAE, p));
      Optional.ofNullable(loraDir).ifPresent(p -> overrides.put(ModelKind.LORA, p));
      Optional.ofNullable(embeddingsDir).ifPresent(p -> overrides.put(ModelKind.EMBEDDING, p));
      library = new ModelLibrary(ModelLibrary.folders(modelsDir, overrides), hashes());
    }
    return Optional.ofNullable(library);
  }

  /**
   * {@code text} as a path when it exists or is absolute (or no library is given), else the
   * library's entry of {@code kind} of that name.
   *
   * @throws IllegalArgumentException (a usage error) naming the option for an unknown or unsafe name
   */
  private Path resolve(ModelKind kind, String text, String option) {
    Path p;
    try {
      p = Path.of(text);
    } catch (java.nio.file.InvalidPathException e) {
      p = null;
    }
    if (library().isEmpty() || (p != null && (Files.exists(p) || p.isAbsolute()))) {
      if (p == null) {
        throw new IllegalArgumentException(option + " '" + text + "' is not a valid path");
      }
      return p;
    }
    try {
      return library().get().require(kind, text).file();
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(option + " " + e.getMessage(), e);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the model library: " + GenerateCommand.reason(e), e);
    }
  }

  /** {@code model} itself when it exists, is absolute or no library is given, else the library's checkpoint of that name. */
  Path resolveModel(Path model) {
    return resolve(ModelKind.CHECKPOINT, model.toString(), "--model");
  }

  /**
   * Selects the LoRAs of a prompt's {@code <lora:…>} tags from the library's LoRA folder, by name
   * ({@link ModelSelection#resolveLoras}, the HTTP APIs' rule too).
   *
   * @throws IllegalArgumentException (a usage error) naming the tag when no library is given or it
   *     has no such LoRA
   */
  void selectPromptLoras(List<LoraTag> tags) {
    try {
      promptLoras.addAll(ModelSelection.resolveLoras(library(), tags, "give --models-dir (LoRAs in its Lora/) or --lora-dir"));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the model library: " + GenerateCommand.reason(e), e);
    }
  }

  /**
   * The library's textual-inversion embeddings, read now (each file that cannot be read is a problem
   * line, as A1111 skips it); none without a library.
   *
   * @throws UncheckedIOException when the folder cannot be listed
   */
  EmbeddingFiles.Loaded embeddings() {
    if (library().isEmpty()) {
      return EmbeddingFiles.Loaded.NONE;
    }
    try {
      return EmbeddingFiles.readAll(library().get());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the embeddings folder: " + GenerateCommand.reason(e), e);
    }
  }

  /**
   * {@code provenance} with the {@code TI hashes} of the embeddings {@code used} (from {@code
   * loaded}).
   *
   * @throws IOException when a file cannot be read for its hash
   */
  Provenance withTiHashes(Provenance provenance, EmbeddingFiles.Loaded loaded, List<TextualInversion> used)
      throws IOException {
    return used.isEmpty() ? provenance : provenance.withTiHashes(loaded.tiHashes(used, hashes()));
  }

  /** The {@code --lora} values, files resolved through the library, named by their file names. */
  private List<NamedLora> optionLoras() {
    List<NamedLora> out = new ArrayList<>();
    for (String l : lora) {
      try {
        AppliedLora a = AppliedLora.parse(l, name -> resolve(ModelKind.LORA, name, ""));
        out.add(new NamedLora(ModelSelection.stem(a.file()), a));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("--lora " + e.getMessage().replace(":  ", ": "), e);
      }
    }
    return out;
  }

  /** Every LoRA: the {@code --lora} values, then the prompt's. */
  private List<NamedLora> allLoras() {
    List<NamedLora> out = new ArrayList<>(optionLoras());
    out.addAll(promptLoras);
    return out;
  }

  /**
   * What is merged ({@link ModelSelection#loraSet}): the {@code --lora} values, then the prompt's
   * LoRAs, leaving out those at multiplier 0 for both networks.
   *
   * @throws IllegalArgumentException (a usage error) naming a malformed value
   */
  LoraSet loras() {
    return new LoraSet(allLoras().stream().map(NamedLora::lora)
        .filter(l -> l.teMultiplier() != 0 || l.unetMultiplier() != 0).toList());
  }

  /**
   * What the parameters text says of the prompts and files ({@link ModelSelection#provenance}): for a
   * checkpoint {@code model} its short hash and name, the VAE's, and each LoRA's short hash (the
   * {@code --lora} files by file name, the prompt's by the name the prompt mentions); nothing of the
   * model for the demo model ({@code model} null).
   *
   * @throws IOException when a file cannot be read for its hash
   */
  Provenance provenance(String prompt, String negativePrompt, Path model) throws IOException {
    if (model == null) {
      return new Provenance(prompt, negativePrompt, Optional.empty(), Optional.empty(), Optional.empty(),
          Optional.empty(), Map.of());
    }
    return new ModelSelection(model, vaeFile(), allLoras()).provenance(prompt, negativePrompt, hashes());
  }

  /** The inference config file: {@code --config}, else the {@code .yaml} beside {@code checkpoint}, if any. */
  Optional<Path> configFile(Path checkpoint) {
    return config != null ? Optional.of(config.toAbsolutePath().normalize()) : InferenceConfig.beside(checkpoint);
  }

  /**
   * What to convert for {@code checkpoint}: these options over its config ({@link #configFile}),
   * {@code imageSize} written into the configs.
   *
   * @throws IOException naming the config when it cannot be read
   * @throws IllegalArgumentException (a usage error) naming an option with an unknown value
   */
  CheckpointFolders.Request request(Path checkpoint, int imageSize) throws IOException {
    Optional<Path> configFile = configFile(checkpoint.toAbsolutePath().normalize());
    InferenceConfig inference = InferenceConfig.read(configFile);
    return new CheckpointFolders.Request(checkpoint, vaeFile(), configFile, inference, export(imageSize, inference));
  }

  /** Whether {@code model} names a checkpoint file rather than a model folder. */
  static boolean isCheckpoint(Path model) {
    return ModelSelection.isCheckpoint(model);
  }

  /**
   * The model folder of {@code model}: itself when it is a folder, else the cached conversion of the
   * checkpoint with these options, LoRAs merged ({@link CheckpointFolders#cached}, written now if
   * missing) — what {@code serve} hands the server, which opens a folder.
   *
   * @throws IOException naming the checkpoint when it cannot be read or is not a supported model
   */
  Path modelFolder(Path model, Placement unet) throws IOException {
    this.unet = unet;
    requireCheckpointForLoras(model);
    return isCheckpoint(model) ? CheckpointFolders.cached(request(model, 512)) : model;
  }

  /**
   * The model folder of {@code model} without LoRAs: itself when it is a folder, else the cached
   * conversion of the checkpoint with these options but no LoRA — what LoRA sets are applied to at
   * load time ({@link CheckpointGenerators}), and all that {@code inspect} describes.
   *
   * @throws IOException naming the checkpoint when it cannot be read or is not a supported model
   * @throws IllegalArgumentException (a usage error) for LoRAs on a model folder ldm4j did not convert
   */
  Path baseFolder(Path model, Placement unet) throws IOException {
    this.unet = unet;
    if (!isCheckpoint(model) && !loras().isEmpty() && !ConvertedFolder.isConverted(model)) {
      throw new IllegalArgumentException("LoRAs (--lora, <lora:…> in the prompt) apply to a model folder only when ldm4j "
          + "converted it (its weights carry the names LoRAs map onto): give the checkpoint file as --model, not the "
          + "model folder " + model);
    }
    return isCheckpoint(model) ? CheckpointFolders.cached(request(model, 512).withLoras(LoraSet.NONE)) : model;
  }

  /**
   * Opens {@code model} for generation: a checkpoint with these options and its LoRAs applied at load
   * time to its conversion without them ({@link CheckpointGenerators#open}: a new LoRA set costs its
   * merge, not a conversion; on a backend that cannot replace weights, the conversion with the LoRAs
   * merged); a folder as it is, or with its LoRAs applied at load time when ldm4j converted it ({@link
   * CheckpointGenerators#openFolder}; any other folder with LoRAs is refused naming it, saying to give
   * the checkpoint). The caller owns the generator.
   *
   * @throws IOException naming the checkpoint, the folder or a LoRA file that cannot be read or does not fit
   */
  Generator open(Path model, String backend, BackendOptions options, GenerationLimits limits,
      List<TextualInversion> embeddings) throws IOException {
    this.unet = options.placementFor(ModelComponent.UNET, backend);
    if (isCheckpoint(model)) {
      return CheckpointGenerators.open(request(model, 512), backend, options, limits, embeddings);
    }
    LoraSet loras = loras();
    return loras.isEmpty() ? Generator.open(model, backend, options, limits, embeddings)
        : CheckpointGenerators.openFolder(model, loras, backend, options, limits, embeddings);
  }

  /** {@code serve} hands the server a folder, and the server applies LoRAs to checkpoints only. */
  private void requireCheckpointForLoras(Path model) {
    if (!isCheckpoint(model) && !loras().isEmpty()) {
      throw new IllegalArgumentException("LoRAs (--lora, <lora:…> in the prompt) are merged into a checkpoint: give a "
          + "checkpoint file as --model, not the model folder " + model);
    }
  }

  /**
   * Whether converting with these options is what the server's extension does with a checkpoint file
   * ({@code CheckpointFolders.Request.defaults}: the {@code .yaml} beside it, the model's weights, no
   * separate VAE or LoRA, at the precision of {@code quarkus.ldm4j.precision}, which {@link
   * #precisionConfiguration} sets to {@code --precision}): then {@code serve} and {@code worker} hand
   * the extension the checkpoint itself, so requests' LoRAs are applied to it.
   */
  boolean convertsAsTheExtension() {
    return vae == null && lora.isEmpty() && weights.equalsIgnoreCase("model") && prediction == null && config == null;
  }

  /**
   * The server's precision configuration ({@code quarkus.ldm4j.precision}) of {@code --precision}:
   * empty when it is not given (the server's own default, {@code auto}, the CLI's too, or whatever
   * other configuration sets).
   *
   * @throws IllegalArgumentException (a usage error) for an unknown value
   */
  Map<String, String> precisionConfiguration() {
    return precision == null ? Map.of() : Map.of("quarkus.ldm4j.precision", precisionChoice().toString());
  }

  /**
   * {@code --precision} ({@link PrecisionChoice#AUTO} when not given).
   *
   * @throws IllegalArgumentException (a usage error) for an unknown value
   */
  PrecisionChoice precisionChoice() {
    if (precision == null) {
      return PrecisionChoice.AUTO;
    }
    try {
      return PrecisionChoice.fromName(precision);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("--precision must be auto, fp32, fp16, int8 or int8-linear, got " + precision, e);
    }
  }

  /**
   * The server's library configuration ({@code quarkus.ldm4j.library.*}) of {@code --models-dir},
   * {@code --checkpoints-dir}, {@code --vae-dir}, {@code --lora-dir} and {@code --embeddings-dir}, absolute.
   */
  Map<String, String> libraryConfiguration() {
    Map<String, String> c = new java.util.LinkedHashMap<>();
    Optional.ofNullable(modelsDir).ifPresent(p -> c.put("quarkus.ldm4j.library.models-dir", p.toAbsolutePath().toString()));
    Optional.ofNullable(checkpointsDir).ifPresent(p -> c.put("quarkus.ldm4j.library.checkpoints-dir", p.toAbsolutePath().toString()));
    Optional.ofNullable(vaeDir).ifPresent(p -> c.put("quarkus.ldm4j.library.vae-dir", p.toAbsolutePath().toString()));
    Optional.ofNullable(loraDir).ifPresent(p -> c.put("quarkus.ldm4j.library.lora-dir", p.toAbsolutePath().toString()));
    Optional.ofNullable(embeddingsDir).ifPresent(p -> c.put("quarkus.ldm4j.library.embeddings-dir", p.toAbsolutePath().toString()));
    return c;
  }

  /**
   * Where the UNet runs, set by {@link #modelFolder}, {@link #baseFolder} and {@link #open}: what
   * {@code --precision auto} resolves for ({@link PrecisionChoice#resolve}); {@code convert} knows no
   * device and keeps fp32 (a CPU).
   */
  private Placement unet = new Placement("onnx", "cpu");

  /** The VAE file, if one is given: {@code --vae} as a path, else by name from the library. */
  Optional<Path> vaeFile() {
    return Optional.ofNullable(vae).map(v -> resolve(ModelKind.VAE, v, "--vae"));
  }

  /**
   * The export options these values stand for, {@code imageSize} written into the configs.
   *
   * @throws IllegalArgumentException (a usage error) naming the option with an unknown value
   */
  SdFolderExport export(int imageSize) {
    return export(imageSize, InferenceConfig.NONE);
  }

  /**
   * The export options these values stand for, with {@code config}'s parameterization and scale
   * factor where no option overrides them.
   *
   * @throws IllegalArgumentException (a usage error) naming the option with an unknown value
   */
  SdFolderExport export(int imageSize, InferenceConfig config) {
    Precision p = precisionChoice().resolve(unet);
    SdCheckpoint.UNetWeights w = switch (weights.toLowerCase(Locale.ROOT)) {
      case "model" -> SdCheckpoint.UNetWeights.MODEL;
      case "ema" -> SdCheckpoint.UNetWeights.EMA;
      default -> throw new IllegalArgumentException("--weights must be model or ema, got " + weights);
    };
    Parameterization pred;
    try {
      pred = prediction == null ? config.parameterization().orElse(Parameterization.EPS)
          : Parameterization.fromName(prediction);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("--prediction: " + e.getMessage(), e);
    }
    return new SdFolderExport(ExportFlavor.OPTIMUM, p, WeightStorage.AUTO, w, imageSize, pred,
        config.scaleFactor().orElse(SdFolderExport.SD1_SCALING_FACTOR), loras());
  }
}
