package io.github.ldm4j.generate;

import io.github.ldm4j.conditioning.clip.ClipTokenizer;
import io.github.ldm4j.conditioning.embedding.EmbeddingTable;
import io.github.ldm4j.conditioning.embedding.TextualInversion;
import io.github.ldm4j.conditioning.text.ClipCondStage;
import io.github.ldm4j.conditioning.text.TextConditioningOptions;
import io.github.ldm4j.diffusion.ScaleFactor;
import io.github.ldm4j.folder.ModelComponent;
import io.github.ldm4j.folder.ModelFolder;
import io.github.ldm4j.folder.onnx.TokenEmbeddingLookup;
import io.github.ldm4j.model.Denoiser;
import io.github.ldm4j.pipeline.LatentDiffusion;
import io.github.ldm4j.samplers.diffusers.TrainingSetup;
import io.github.ldm4j.spi.BackendOptions;
import io.github.ldm4j.spi.BackendProvider;
import io.github.ldm4j.spi.ModelSources;
import io.github.ldm4j.spi.Backends;
import io.github.ldm4j.spi.Network;
import io.github.ldm4j.spi.NetworkDescription;
import io.github.ldm4j.spi.NetworkRequest;
import io.github.ldm4j.spi.NetworkSet;
import io.github.ldm4j.spi.Placement;
import io.github.ldm4j.spi.WeightOverrides;
import io.github.ldm4j.spi.contract.NetworkFirstStage;
import io.github.ldm4j.spi.contract.PortType;
import io.github.ldm4j.spi.contract.NetworkTextEncoder;
import io.github.ldm4j.spi.contract.NetworkUNet;
import io.github.ldm4j.tensor.Tensor;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * Opens a model folder (the diffusers / optimum ONNX layout, or optimum-intel's OpenVINO IR layout)
 * for every backend, once: it resolves where each network runs ({@link BackendOptions#placementFor}:
 * the model's backend and device unless a component is placed elsewhere), asks each backend for its
 * networks ({@link BackendProvider#open}), adapts them to the model interfaces ({@link NetworkUNet},
 * {@link NetworkTextEncoder}, {@link NetworkFirstStage}), reads the training setup once ({@link
 * TrainingSetup}: schedule, parameterization and the scheduler config's sampler recipe), the
 * tokenizer ({@link ClipTokenizer#forModel}) and the VAE scale factor, builds the cond stage ({@link
 * ClipCondStage}) and the conditioning-key routing ({@link Denoiser#of}), and hands ownership to one
 * {@link LatentDiffusion}. So the UNet may run on ONNX Runtime while the text encoder and VAE run on
 * OpenVINO, and a backend implements nothing but networks.
 *
 * <p>On any failure, every network opened so far is closed before the exception leaves.
 */
public final class ModelAssembler {

  private ModelAssembler() {}

  /**
   * Opens {@code modelDir} — a model folder, or whatever a registered {@link ModelSources model
   * source} turns into one (a single-file checkpoint with {@code ldm4j-checkpoint} on the class
   * path): every network on {@code backend} (at {@code options.device()}) unless
   * {@code options.placement()} puts a component elsewhere. The caller owns the generator.
   *
   * @throws IOException naming the missing, unreadable or corrupt file
   * @throws IllegalArgumentException for an unknown backend, an unsupported contract or option, or
   *     a scheduler config that cannot be reproduced
   * @throws IllegalStateException for a backend that cannot run here (with its reason)
   */
  public static Generator open(Path modelDir, String backend, BackendOptions options, GenerationLimits limits)
      throws IOException {
    return open(modelDir, backend, options, limits, Backends::find);
  }

  /**
   * {@link #open(Path, String, BackendOptions, GenerationLimits)} with the backends looked up by
   * {@code backends} instead of {@link Backends#find} — for a provider bound to a runtime of the
   * caller's (an OpenVINO installed elsewhere, a test emulator).
   */
  public static Generator open(Path modelDir, String backend, BackendOptions options, GenerationLimits limits,
      Function<String, BackendProvider> backends) throws IOException {
    return open(modelDir, backend, options, limits, backends, List.of(), WeightOverrides.NONE);
  }

  /**
   * {@link #open(Path, String, BackendOptions, GenerationLimits, Function)} with textual-inversion
   * {@code embeddings} that prompts may name ({@link ClipCondStage}).
   *
   * <p>How the text encoder takes them — the cheapest correct way with one session and no change to
   * the network's {@code input_ids} contract: the token-embedding table ({@link
   * TokenEmbeddingLookup}: ldm4j's own text encoders, from checkpoints or {@code ldm4j convert}, and
   * exports that keep the table's name or index a constant table with {@code input_ids}) is read
   * from the ONNX file, the embeddings' vectors are appended as rows {@code vocabulary …} ({@link
   * EmbeddingTable}), and the text encoder's session is created with that table in place of the
   * file's (a {@link WeightOverrides} weight: ONNX Runtime's user-supplied initializers, read in place). A
   * prompt's embedding positions then carry ids ≥ the vocabulary size, and the graph's own {@code
   * Gather} looks their vectors up. Every run costs exactly what it did without embeddings (the same
   * graph over a slightly taller table); the alternatives cost more: a second text-encoder graph fed
   * {@code inputs_embeds} holds the encoder's weights twice (or re-creates a session per embedding
   * set), and feeding the whole table as an input copies it on every run. Nothing is done when
   * {@code embeddings} is empty. Where the table cannot be extended (no such table in the file, a
   * backend that cannot replace initializers, a vocabulary other than the tokenizer's), the model
   * opens all the same and a prompt naming an embedding fails saying why; an embedding of another
   * width than the encoder's fails so, naming its file.
   */
  public static Generator open(Path modelDir, String backend, BackendOptions options, GenerationLimits limits,
      Function<String, BackendProvider> backends, List<TextualInversion> embeddings) throws IOException {
    return open(modelDir, backend, options, limits, backends, embeddings, WeightOverrides.NONE);
  }

  /**
   * {@link #open(Path, String, BackendOptions, GenerationLimits, Function)} with some weights replaced
   * ({@link NetworkRequest#overrides()}: a LoRA set applied to the base model's networks). The
   * generator takes ownership of {@code overrides} and closes them after its networks (on failure
   * too).
   *
   * @throws IllegalArgumentException also when a backend that opens an overridden component cannot
   *     replace weights ({@link BackendProvider#overridesWeights()})
   */
  public static Generator open(Path modelDir, String backend, BackendOptions options, GenerationLimits limits,
      Function<String, BackendProvider> backends, WeightOverrides overrides) throws IOException {
    return open(modelDir, backend, options, limits, backends, List.of(), overrides);
  }

  /**
   * Textual-inversion {@code embeddings} (see {@link #open(Path, String, BackendOptions, GenerationLimits,
   * Function, List)}) and replaced weights (see {@link #open(Path, String, BackendOptions,
   * GenerationLimits, Function, WeightOverrides)}) together; the generator owns {@code overrides} and
   * the extended token table.
   */
  public static Generator open(Path modelDir, String backend, BackendOptions options, GenerationLimits limits,
      Function<String, BackendProvider> backends, List<TextualInversion> embeddings, WeightOverrides overrides)
      throws IOException {
    Objects.requireNonNull(embeddings, "embeddings");
    Objects.requireNonNull(modelDir, "modelDir");
    Objects.requireNonNull(backend, "backend");
    Objects.requireNonNull(options, "options");
    Objects.requireNonNull(limits, "limits");
    Objects.requireNonNull(backends, "backends");
    Objects.requireNonNull(overrides, "overrides");
    WeightOverrides tokenTable = WeightOverrides.NONE;
    try {
      Plan plan = plan(ModelSources.modelFolder(modelDir), backend, options, backends);
      TrainingSetup training = TrainingSetup.of(plan.folder());
      ClipTokenizer tokenizer = ClipTokenizer.forModel(plan.folder());
      Embeddings placed = embeddings.isEmpty() ? new Embeddings(EmbeddingTable.NONE, WeightOverrides.NONE)
          : place(plan, tokenizer, embeddings);
      tokenTable = placed.tokenTable();
      WeightOverrides all = overrides.plus(tokenTable);
      Map<ModelComponent, Network> networks = openNetworks(plan, EnumSet.complementOf(EnumSet.copyOf(LAZY)), options,
          all);
      for (ModelComponent c : LAZY) {
        lazy(plan, c, options, all).ifPresent(n -> networks.put(c, n));
      }
      WeightOverrides table = tokenTable;
      return assemble(new Parts(plan, training, tokenizer, options, limits, networks, placed), networks,
          () -> {
            RuntimeException failure = NetworkSet.closeAll("closing the replaced weights", List.of(overrides, table));
            if (failure != null) {
              throw failure;
            }
          });
    } catch (IOException | RuntimeException e) {
      NetworkSet.closeAfterFailure(e, List.of(overrides, tokenTable));
      throw e;
    }
  }

  /**
   * A generator over {@code base}'s model with {@code overrides} replacing some weights: only the
   * networks of the overridden components are opened anew (on the backend and device {@code base}
   * uses for them); the others are {@code base}'s own, shared.
   *
   * <p><b>Ownership:</b> the result owns only the networks it opened and {@code overrides} (closed
   * after them, and on failure); close it before {@code base}, whose networks it borrows.
   *
   * @throws IOException when a network file cannot be opened again
   * @throws IllegalArgumentException when a backend of an overridden component cannot replace weights
   * @throws UnsupportedOperationException when {@code base} was not opened by this assembler
   */
  static Generator derive(Generator base, WeightOverrides overrides) throws IOException {
    try {
      Parts parts = base.parts().orElseThrow(() -> new UnsupportedOperationException(
          "only a generator opened by ModelAssembler can replace weights; this one was built from a model"));
      // the base's extended token table (borrowed: the base owns it) goes with a re-opened text encoder
      Map<ModelComponent, Network> opened = openNetworks(parts.plan(), overrides.components(), parts.options(),
          overrides.plus(parts.embeddings().tokenTable()));
      Map<ModelComponent, Network> networks = new EnumMap<>(ModelComponent.class);
      for (Map.Entry<ModelComponent, Network> e : parts.networks().entrySet()) {
        Network own = opened.get(e.getKey());
        networks.put(e.getKey(), own != null ? own : new Borrowed(e.getValue()));
      }
      return assemble(parts, networks, overrides);
    } catch (IOException | RuntimeException e) {
      NetworkSet.closeAfterFailure(e, List.of(overrides));
      throw e;
    }
  }

  /**
   * What a generator was assembled from, so that {@link #derive} can re-open only some networks.
   *
   * @param networks the base networks (owned by the generator's adapters, never closed through this)
   */
  record Parts(Plan plan, TrainingSetup training, ClipTokenizer tokenizer, BackendOptions options,
      GenerationLimits limits, Map<ModelComponent, Network> networks, Embeddings embeddings) {
    Parts {
      networks = Map.copyOf(networks);
    }
  }

  /**
   * The components opened on first use rather than with the model: those text-to-image never runs
   * (the VAE encoder: img2img, inpainting and a hires fix with an image upscaler open it).
   */
  static final Set<ModelComponent> LAZY = java.util.Collections.unmodifiableSet(EnumSet.of(ModelComponent.VAE_ENCODER));

  /** {@code component} (if the folder has it), opened on first use with {@link #openNetworks}. */
  private static Optional<Network> lazy(Plan plan, ModelComponent component, BackendOptions options,
      WeightOverrides overrides) throws IOException {
    for (Map.Entry<BackendProvider, Map<ModelComponent, String>> e : plan.byBackend().entrySet()) {
      if (e.getValue().containsKey(component)) {
        Path file = plan.folder().networkFile(component, e.getKey().formats());
        return Optional.of(new io.github.ldm4j.spi.LazyNetwork(component, file,
            c -> openNetworks(plan, EnumSet.of(c), options, overrides).get(c)));
      }
    }
    return Optional.empty();
  }

  /** Opens {@code components} (those the folder has) on their backends; on failure nothing stays open. */
  private static Map<ModelComponent, Network> openNetworks(Plan plan, Set<ModelComponent> components,
      BackendOptions options, WeightOverrides overrides) throws IOException {
    List<NetworkSet> sets = new ArrayList<>();
    Map<ModelComponent, Network> networks = new EnumMap<>(ModelComponent.class);
    try {
      for (Map.Entry<BackendProvider, Map<ModelComponent, String>> e : plan.byBackend().entrySet()) {
        Map<ModelComponent, String> devices = new EnumMap<>(ModelComponent.class);
        e.getValue().forEach((c, d) -> {
          if (components.contains(c)) {
            devices.put(c, d);
          }
        });
        if (devices.isEmpty()) {
          continue;
        }
        BackendProvider provider = e.getKey();
        if (!provider.overridesWeights() && devices.keySet().stream().anyMatch(c -> !overrides.of(c).isEmpty())) {
          throw new IllegalArgumentException("backend '" + provider.name() + "' cannot replace weights of "
              + devices.keySet() + " at load time (" + overrides + "); convert the model with the weights merged instead");
        }
        NetworkSet set = provider.open(new NetworkRequest(plan.folder(), devices, options, overrides));
        sets.add(set);
        for (ModelComponent c : devices.keySet()) {
          networks.put(c, set.get(c).orElseThrow(() -> new IllegalStateException(
              "backend '" + provider.name() + "' did not open " + c.folderName())));
        }
      }
      for (ModelComponent c : overrides.components()) {
        if (plan.byBackend().values().stream().noneMatch(m -> m.containsKey(c))) {
          throw new IllegalArgumentException("weights are replaced in " + c.folderName() + ", which "
              + plan.folder().name() + " does not have");
        }
      }
    } catch (IOException | RuntimeException e) {
      NetworkSet.closeAfterFailure(e, sets);
      throw e;
    }
    return networks;
  }

  /** Builds the generator; it owns {@code networks} (closing them on failure). */
  private static Generator assemble(Parts parts, Map<ModelComponent, Network> opened, AutoCloseable alsoOwned) {
    Map<ModelComponent, Network> networks = new EnumMap<>(opened);
    // From here each adapter owns its network and closes it on rejection; what is not adopted yet
    // is closed on failure.
    List<AutoCloseable> adopted = new ArrayList<>();
    try {
      ModelFolder folder = parts.plan().folder();
      TrainingSetup training = parts.training();
      NetworkTextEncoder textEncoder = new NetworkTextEncoder(networks.remove(ModelComponent.TEXT_ENCODER));
      adopted.add(textEncoder);
      ClipCondStage condStage = new ClipCondStage(parts.tokenizer(), textEncoder, TextConditioningOptions.defaults(),
          parts.embeddings().table());
      NetworkUNet unet = new NetworkUNet(
          networks.remove(ModelComponent.UNET), training.parameterization(), folder.unetInChannels());
      Denoiser denoiser = Denoiser.of(unet);
      adopted.add(denoiser);
      Network decoder = networks.remove(ModelComponent.VAE_DECODER);
      Optional<Network> encoder = Optional.ofNullable(networks.remove(ModelComponent.VAE_ENCODER));
      NetworkFirstStage firstStage = new NetworkFirstStage(decoder, encoder, folder.scalingFactor());
      adopted.clear();
      LatentDiffusion model = new LatentDiffusion(
          folder.name(), firstStage, condStage, denoiser, training.schedule(), ScaleFactor.fromFirstStage());
      return new Generator(model, training.recipe(), parts.limits(), Optional.of(parts), alsoOwned);
    } catch (RuntimeException e) {
      adopted.addAll(networks.values());
      NetworkSet.closeAfterFailure(e, adopted);
      throw e;
    }
  }

  /** Another generator's network, used but not owned: closing it does nothing. */
  private record Borrowed(Network network) implements Network {
    @Override
    public ModelComponent component() {
      return network.component();
    }

    @Override
    public Path file() {
      return network.file();
    }

    @Override
    public Map<String, io.github.ldm4j.spi.contract.TensorPort> inputs() {
      return network.inputs();
    }

    @Override
    public Map<String, io.github.ldm4j.spi.contract.TensorPort> outputs() {
      return network.outputs();
    }

    @Override
    public List<io.github.ldm4j.tensor.Tensor> run(Map<String, io.github.ldm4j.spi.Feed> feeds, List<String> outputs) {
      return network.run(feeds, outputs);
    }

    @Override
    public void close() {
      // owned by the generator it was borrowed from
    }
  }

  /**
   * The networks of {@code modelDir} as the backends that would run them declare them (components
   * present, in {@link ModelComponent} order), without running anything.
   *
   * @throws IOException naming the missing or unreadable file
   * @throws UnsupportedOperationException when a backend cannot describe its networks
   */
  public static List<NetworkDescription> describe(Path modelDir, String backend, BackendOptions options)
      throws IOException {
    Plan plan = plan(modelDir, backend, options, Backends::find);
    List<NetworkDescription> out = new ArrayList<>();
    for (ModelComponent c : ModelComponent.values()) {
      for (Map.Entry<BackendProvider, Map<ModelComponent, String>> e : plan.byBackend().entrySet()) {
        if (e.getValue().containsKey(c)) {
          out.add(e.getKey().describe(plan.folder(), c, options));
        }
      }
    }
    return out;
  }

  /** The embeddings as the cond stage sees them, and the text encoder's extended token table if any is usable. */
  record Embeddings(EmbeddingTable table, WeightOverrides tokenTable) {}

  private static Embeddings place(Plan plan, ClipTokenizer tokenizer, List<TextualInversion> embeddings)
      throws IOException {
    BackendProvider provider = null;
    for (Map.Entry<BackendProvider, Map<ModelComponent, String>> e : plan.byBackend().entrySet()) {
      if (e.getValue().containsKey(ModelComponent.TEXT_ENCODER)) {
        provider = e.getKey();
      }
    }
    if (provider == null) {
      return unusable(embeddings, "the model has no text encoder");
    }
    if (!provider.overridesWeights()) {
      return unusable(embeddings, "the text encoder runs on the '" + provider.name() + "' backend, which cannot extend "
          + "its token-embedding table; run the text encoder on the onnx backend");
    }
    Path file = plan.folder().networkFile(ModelComponent.TEXT_ENCODER, provider.formats());
    if (!file.getFileName().toString().endsWith(".onnx")) {
      return unusable(embeddings, "the text encoder " + file + " is not an ONNX file; use the ONNX text encoder");
    }
    TokenEmbeddingLookup lookup = TokenEmbeddingLookup.find(file, "input_ids");
    if (lookup.table().isEmpty()) {
      return unusable(embeddings, "its token-embedding table cannot be found (" + lookup.explanation()
          + "); use the model's single-file checkpoint instead, which ldm4j converts with a table it can extend");
    }
    TokenEmbeddingLookup.Table t = lookup.table().get();
    if (t.rows() != tokenizer.vocabularySize()) {
      return unusable(embeddings, "the text encoder's token-embedding table (" + lookup.explanation() + ") has " + t.rows()
          + " rows but the tokenizer's vocabulary " + tokenizer.vocabularySize());
    }
    EmbeddingTable table = EmbeddingTable.place(embeddings, t.rows(), t.width());
    Optional<Tensor> extra = table.rows();
    if (extra.isEmpty()) {
      return new Embeddings(table, WeightOverrides.NONE);
    }
    return new Embeddings(table, tokenTableOverride(t, extra.get()));
  }

  /**
   * The text encoder's token table {@code t} with the rows {@code extra} appended, as a replaced weight
   * in {@code t}'s element type, in native memory the result owns.
   */
  private static WeightOverrides tokenTableOverride(TokenEmbeddingLookup.Table t, Tensor extra) {
    long rows = t.rows() + extra.dim(0);
    long n = rows * t.width();
    Arena arena = Arena.ofShared();
    try {
      MemorySegment data = arena.allocate(n * (t.float16() ? 2 : Float.BYTES), Float.BYTES);
      float[] base = t.values();
      java.nio.FloatBuffer appended = extra.asFloatBuffer();
      for (long i = 0; i < n; i++) { // the file's rows, then the embeddings' (no intermediate copy of the table)
        float v = i < base.length ? base[(int) i] : appended.get((int) (i - base.length));
        if (t.float16()) {
          data.set(ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 2 * i, Float.floatToFloat16(v));
        } else {
          data.set(ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 4 * i, v);
        }
      }
      WeightOverrides.Weight w = new WeightOverrides.Weight(t.name(), t.float16() ? PortType.FLOAT16 : PortType.FLOAT32,
          new long[] {rows, t.width()}, data);
      return new WeightOverrides(Map.of(ModelComponent.TEXT_ENCODER, List.of(w)), arena);
    } catch (RuntimeException e) {
      arena.close();
      throw e;
    }
  }

  private static Embeddings unusable(List<TextualInversion> embeddings, String reason) {
    return new Embeddings(EmbeddingTable.unusable(embeddings, reason), WeightOverrides.NONE);
  }

  /** The folder, read for the formats of every backend involved, and each backend's components. */
  record Plan(ModelFolder folder, Map<BackendProvider, Map<ModelComponent, String>> byBackend) {}

  private static Plan plan(Path modelDir, String backend, BackendOptions options,
      Function<String, BackendProvider> backends) throws IOException {
    Map<String, BackendProvider> providers = new LinkedHashMap<>();
    Map<ModelComponent, Placement> placements = new EnumMap<>(ModelComponent.class);
    EnumSet<ModelFolder.Format> formats = EnumSet.noneOf(ModelFolder.Format.class);
    for (ModelComponent c : ModelComponent.values()) {
      Placement p = options.placementFor(c, backend);
      placements.put(c, p);
      BackendProvider provider = providers.get(p.backend());
      if (provider == null) {
        provider = backends.apply(p.backend());
        providers.put(p.backend(), provider);
      }
      formats.addAll(provider.formats());
    }
    ModelFolder folder = ModelFolder.open(modelDir, formats);
    Map<BackendProvider, Map<ModelComponent, String>> byBackend = new LinkedHashMap<>();
    for (ModelComponent c : ModelComponent.values()) {
      if (!folder.has(c)) {
        continue;
      }
      Placement p = placements.get(c);
      BackendProvider provider = providers.get(p.backend());
      byBackend.computeIfAbsent(provider, k -> new EnumMap<>(ModelComponent.class)).put(c, p.device());
    }
    return new Plan(folder, byBackend);
  }
}
