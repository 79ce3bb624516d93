package io.github.ldm4j.generate;

import io.github.ldm4j.conditioning.clip.ClipTokenizer;
import io.github.ldm4j.conditioning.text.ClipCondStage;
import io.github.ldm4j.conditioning.text.TextConditioningOptions;
import io.github.ldm4j.diffusion.ScaleFactor;
import io.github.ldm4j.folder.ModelComponent;
import io.github.ldm4j.folder.ModelFolder;
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
import io.github.ldm4j.spi.contract.NetworkTextEncoder;
import io.github.ldm4j.spi.contract.NetworkUNet;
import java.io.IOException;
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
    return open(modelDir, backend, options, limits, backends, WeightOverrides.NONE);
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
    Objects.requireNonNull(modelDir, "modelDir");
    Objects.requireNonNull(backend, "backend");
    Objects.requireNonNull(options, "options");
    Objects.requireNonNull(limits, "limits");
    Objects.requireNonNull(backends, "backends");
    Objects.requireNonNull(overrides, "overrides");
    try {
      Plan plan = plan(ModelSources.modelFolder(modelDir), backend, options, backends);
      TrainingSetup training = TrainingSetup.of(plan.folder());
      ClipTokenizer tokenizer = ClipTokenizer.forModel(plan.folder());
      Map<ModelComponent, Network> networks = openNetworks(plan, EnumSet.allOf(ModelComponent.class), options, overrides);
      return assemble(new Parts(plan, training, tokenizer, options, limits, networks), networks, overrides);
    } catch (IOException | RuntimeException e) {
      NetworkSet.closeAfterFailure(e, List.of(overrides));
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
      Map<ModelComponent, Network> opened = openNetworks(parts.plan(), overrides.components(), parts.options(), overrides);
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
      GenerationLimits limits, Map<ModelComponent, Network> networks) {
    Parts {
      networks = Map.copyOf(networks);
    }
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
        if (!networks.containsKey(c)) {
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
  private static Generator assemble(Parts parts, Map<ModelComponent, Network> opened, WeightOverrides overrides) {
    Map<ModelComponent, Network> networks = new EnumMap<>(opened);
    // From here each adapter owns its network and closes it on rejection; what is not adopted yet
    // is closed on failure.
    List<AutoCloseable> adopted = new ArrayList<>();
    try {
      ModelFolder folder = parts.plan().folder();
      TrainingSetup training = parts.training();
      NetworkTextEncoder textEncoder = new NetworkTextEncoder(networks.remove(ModelComponent.TEXT_ENCODER));
      adopted.add(textEncoder);
      ClipCondStage condStage = new ClipCondStage(parts.tokenizer(), textEncoder, TextConditioningOptions.defaults());
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
      return new Generator(model, training.recipe(), parts.limits(), Optional.of(parts), overrides);
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
