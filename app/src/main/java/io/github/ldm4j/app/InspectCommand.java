package io.github.ldm4j.app;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.ldm4j.checkpoint.StateDict;
import io.github.ldm4j.checkpoint.StateDicts;
import io.github.ldm4j.checkpoint.lora.AppliedLora;
import io.github.ldm4j.checkpoint.lora.LoraFile;
import io.github.ldm4j.checkpoint.lora.LoraMapping;
import io.github.ldm4j.checkpoint.sd.InferenceConfig;
import io.github.ldm4j.checkpoint.sd.SdCheckpoint;
import io.github.ldm4j.export.sd.ParameterCounts;
import io.github.ldm4j.export.sd.SdGraphs;
import io.github.ldm4j.folder.ModelComponent;
import io.github.ldm4j.folder.ModelFolder;
import io.github.ldm4j.generate.ModelAssembler;
import io.github.ldm4j.samplers.diffusers.DiffusersSchedulers;
import io.github.ldm4j.samplers.diffusers.SamplerRecipe;
import io.github.ldm4j.samplers.diffusers.SchedulerConfig;
import io.github.ldm4j.spi.NetworkDescription;
import io.github.ldm4j.spi.contract.TensorPort;
import java.io.IOException;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code ldm4j inspect --model DIR}: what a model folder holds, as JSON — its components, the
 * export flavor the tensor contracts reveal ({@link ExportFlavors}), each network's declared inputs
 * and outputs (names, element types, shapes; −1 = dynamic), and the sampling defaults of its
 * {@code scheduler_config.json}.
 */
@Command(name = "inspect", mixinStandardHelpOptions = true,
    description = "Prints a model folder's components, flavor, tensor contracts and scheduler defaults as JSON.")
final class InspectCommand implements Callable<Integer> {

  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  @Option(names = "--model", required = true,
      description = "Model folder (diffusers/optimum ONNX or OpenVINO IR layout), checkpoint file (.safetensors, .ckpt) "
          + "or the NAME of a checkpoint in the library (--models-dir).")
  Path model;

  @Mixin BackendChoice backendChoice;

  @Mixin CheckpointOptions checkpointOptions;

  @Option(names = "--verbose", description = "Print stack traces on failure.")
  boolean verbose;

  @Override
  public Integer call() throws Exception {
    String backend = backendChoice.backend();
    Path model = checkpointOptions.resolveModel(this.model);
    if (!CheckpointOptions.isCheckpoint(model) && !checkpointOptions.loras().isEmpty()) {
      throw new IllegalArgumentException("inspect --lora lists each LoRA's modules against a checkpoint: give the "
          + "checkpoint file as --model, not the model folder " + model);
    }
    ObjectNode checkpoint = CheckpointOptions.isCheckpoint(model) ? describeCheckpoint(model, checkpointOptions) : null;
    // LoRAs change no network's inputs or outputs: the conversion without them is described (no conversion per set)
    Path dir = checkpointOptions.baseFolder(model, backendChoice.options().placementFor(ModelComponent.UNET, backend));
    ModelFolder folder = ModelFolder.open(dir, EnumSet.allOf(ModelFolder.Format.class));
    List<NetworkDescription> networks = ModelAssembler.describe(folder.root(), backend, backendChoice.options());

    ObjectNode out = JSON.createObjectNode();
    if (checkpoint != null) {
      out.set("checkpoint", checkpoint);
    }
    out.put("model", folder.root().toString());
    out.put("name", folder.name());
    out.put("backend", backend);
    folder.pipelineClass().ifPresentOrElse(c -> out.put("pipeline", c), () -> out.putNull("pipeline"));
    ArrayNode components = out.putArray("components");
    for (ModelComponent c : ModelComponent.values()) {
      if (folder.has(c)) {
        components.add(c.folderName());
      }
    }
    out.put("tokenizer", folder.tokenizerDir().map(d -> "tokenizer/").orElse("OpenAI CLIP vocabulary (built in)"));
    out.put("scalingFactor", folder.scalingFactor());
    out.set("flavor", ExportFlavors.describe(networks, folder.unetInChannels()));
    ObjectNode nets = out.putObject("networks");
    for (NetworkDescription n : networks) {
      ObjectNode node = nets.putObject(n.component().folderName());
      node.put("file", folder.root().relativize(n.file()).toString());
      ports(node.putArray("inputs"), n.inputs());
      ports(node.putArray("outputs"), n.outputs());
    }
    out.set("scheduler", scheduler(folder));
    System.out.println(JSON.writeValueAsString(out));
    return 0;
  }

  private static void ports(ArrayNode into, List<TensorPort> ports) {
    for (TensorPort p : ports) {
      ObjectNode o = into.addObject();
      o.put("name", p.name());
      o.put("dtype", p.type().name().toLowerCase(java.util.Locale.ROOT));
      ArrayNode shape = o.putArray("shape");
      for (long d : p.shape()) {
        shape.add(d);
      }
    }
  }

  private static ObjectNode scheduler(ModelFolder folder) {
    ObjectNode s = JSON.createObjectNode();
    if (folder.schedulerConfig().isEmpty()) {
      s.putNull("config");
      s.put("note", "no scheduler/scheduler_config.json: SD v1's scaled-linear training schedule, epsilon prediction");
      return s;
    }
    Path file = folder.schedulerConfig().get();
    s.put("config", folder.root().relativize(file).toString());
    SchedulerConfig c = SchedulerConfig.read(file);
    s.put("class", c.schedulerClass().className());
    s.put("numTrainTimesteps", c.numTrainTimesteps());
    s.put("betaSchedule", c.betaSchedule());
    s.put("betaStart", c.betaStart());
    s.put("betaEnd", c.betaEnd());
    s.put("predictionType", c.predictionType());
    s.put("timestepSpacing", c.timestepSpacing());
    s.put("stepsOffset", c.stepsOffset());
    try {
      SamplerRecipe r = DiffusersSchedulers.recipe(c);
      s.put("sampler", r.sampler());
      s.put("schedule", r.schedule());
      s.put("parameterization", r.parameterization().name().toLowerCase(java.util.Locale.ROOT));
      ArrayNode dev = s.putArray("deviations");
      r.deviations().forEach(dev::add);
    } catch (IllegalArgumentException e) {
      s.put("unsupported", e.getMessage());
    }
    return s;
  }

  /**
   * A checkpoint file: its inference config, detected architecture and the conditioning key the
   * converted model uses (read from the UNet, checked against the config's), dtypes, EMA, parameters
   * per network, missing and unused keys.
   */
  private static ObjectNode describeCheckpoint(Path file, CheckpointOptions options) throws IOException {
    ObjectNode c = JSON.createObjectNode();
    Optional<Path> configFile = options.configFile(file);
    InferenceConfig config = InferenceConfig.read(configFile);
    try (StateDict dict = StateDicts.open(file)) {
      SdCheckpoint sd = SdCheckpoint.of(dict, config.hints());
      var a = sd.architecture();
      c.put("file", file.toAbsolutePath().toString());
      c.put("config", configFile.map(Path::toString).orElse(null));
      c.put("tensors", dict.entries().size());
      ObjectNode dtypes = c.putObject("dtypes");
      dict.entries().values().forEach(e -> dtypes.put(e.dtype().name(), dtypes.path(e.dtype().name()).asInt() + 1));
      c.put("architecture", SdCheckpoint.describe(sd.family()) + (sd.inpainting() ? " inpainting" : ""));
      c.put("conditioning_key", sd.conditioningKey().compvisName());
      ObjectNode unet = c.putObject("unet");
      unet.put("in_channels", a.unet().inChannels());
      unet.set("block_out_channels", JSON.valueToTree(a.unet().blockChannels()));
      unet.set("cross_attention", JSON.valueToTree(a.unet().crossAttention()));
      unet.put("layers_per_block", a.unet().layersPerBlock());
      unet.put("context_dim", a.unet().contextDim());
      ObjectNode text = c.putObject("text_encoder");
      text.put("hidden_size", a.text().hiddenSize());
      text.put("layers", a.text().layers());
      text.put("vocab_size", a.text().vocabSize());
      ObjectNode vae = c.putObject("vae");
      vae.set("block_out_channels", JSON.valueToTree(a.vae().blockChannels()));
      vae.put("latent_channels", a.vae().latentChannels());
      c.put("ema", sd.hasEma());
      ObjectNode params = c.putObject("parameters");
      ParameterCounts counts = SdGraphs.parameterCounts(a);
      params.put("text_encoder", counts.textEncoder());
      params.put("unet", counts.unet());
      params.put("vae_encoder", counts.vaeEncoder());
      params.put("vae_decoder", counts.vaeDecoder());
      var usage = sd.usage(a, SdCheckpoint.UNetWeights.MODEL);
      c.set("missing_keys", JSON.valueToTree(usage.missing()));
      c.put("unused_keys", usage.unused().size());
      c.set("unused_keys_first", JSON.valueToTree(usage.unused().subList(0, Math.min(10, usage.unused().size()))));
      ArrayNode loras = c.putArray("loras");
      for (AppliedLora l : options.loras().loras()) {
        try (LoraFile f = LoraFile.open(l.file())) {
          LoraMapping m = LoraMapping.of(f, sd, SdCheckpoint.UNetWeights.MODEL);
          ObjectNode n = loras.addObject();
          n.put("file", l.file().toString());
          n.put("format", f.format().name().toLowerCase(java.util.Locale.ROOT));
          n.put("te_weight", l.teMultiplier());
          n.put("unet_weight", l.unetMultiplier());
          n.put("modules", f.modules().size());
          n.put("matched", m.targets().size());
          n.put("not_computed", m.targets().stream().filter(t -> !t.computed()).count());
          n.put("unmatched_keys", m.unmapped().size());
          n.set("unmatched_keys_first", JSON.valueToTree(m.unmapped().subList(0, Math.min(10, m.unmapped().size()))));
        }
      }
    }
    return c;
  }
}
