package io.github.ldm4j.export.folder;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.ldm4j.conditioning.clip.ClipVocabulary;
import io.github.ldm4j.export.onnx.OnnxModelWriter;
import io.github.ldm4j.export.onnx.WriteProgress;
import io.github.ldm4j.export.onnx.WrittenModel;
import io.github.ldm4j.model.Parameterization;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Writes a diffusers-style ONNX pipeline folder (reference facts §4): {@code model_index.json},
 * {@code scheduler/scheduler_config.json}, {@code tokenizer/} and one sub-folder per component with
 * {@code model.onnx} (+ {@code model.onnx_data}) and {@code config.json}.
 */
public final class FolderWriter {

  /** JSON node factory for the configs. */
  public static final JsonNodeFactory JSON = JsonNodeFactory.instance;

  private static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private FolderWriter() {
  }

  /** Writes the folder under {@code root} (created if needed; files of the same names are replaced). */
  public static GeneratedFolder write(Path root, FolderSpec spec, WriteProgress progress) {
    try {
      Files.createDirectories(root);
      writeJson(root.resolve("model_index.json"), modelIndex(spec));
      writeJson(root.resolve("scheduler").resolve("scheduler_config.json"), schedulerConfig(spec.prediction()));
      writeTokenizer(root.resolve("tokenizer"), spec.padToken());
      List<WrittenModel> models = new ArrayList<>();
      for (Component c : spec.components()) {
        Path dir = root.resolve(c.folder());
        models.add(OnnxModelWriter.write(c.graph(), dir.resolve("model.onnx"), spec.storage(), progress));
        writeJson(dir.resolve("config.json"), c.config());
      }
      return new GeneratedFolder(root, models, folderSize(root));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write model folder " + root, e);
    }
  }

  /**
   * {@code model_index.json} as the exporters write it. Every flavor names its ONNX networks
   * {@code ["diffusers", "OnnxRuntimeModel"]} and an absent one {@code [null, null]}. The legacy
   * diffusers script writes an {@code OnnxStableDiffusion[Inpaint]Pipeline} index; optimum's
   * {@code ORTStableDiffusion*Pipeline.save_pretrained} keeps the PyTorch pipeline's class name and its
   * (now dangling) {@code vae} entry and adds {@code text_encoder_2}. The OpenVINO flavor's networks are
   * ONNX files, so it gets the optimum index.
   */
  static ObjectNode modelIndex(FolderSpec spec) {
    boolean legacy = spec.flavor() == ExportFlavor.LEGACY;
    boolean inpaint = spec.variant() == PipelineVariant.INPAINTING;
    ObjectNode n = JSON.objectNode();
    n.put("_class_name", (legacy ? "OnnxStableDiffusion" : "StableDiffusion") + (inpaint ? "Inpaint" : "")
        + "Pipeline");
    n.set("feature_extractor", pair(null, null));
    n.put("requires_safety_checker", false);
    n.set("safety_checker", pair(null, null));
    n.set("scheduler", pair("diffusers", "PNDMScheduler"));
    n.set("text_encoder", onnxComponent(spec, "text_encoder"));
    if (!legacy) {
      n.set("text_encoder_2", onnxComponent(spec, "text_encoder_2"));
    }
    n.set("tokenizer", pair("transformers", "CLIPTokenizer"));
    n.set("unet", onnxComponent(spec, "unet"));
    if (!legacy) {
      n.set("vae", pair("diffusers", "AutoencoderKL"));
    }
    n.set("vae_decoder", onnxComponent(spec, "vae_decoder"));
    n.set("vae_encoder", onnxComponent(spec, "vae_encoder"));
    return n;
  }

  /** {@code ["diffusers", "OnnxRuntimeModel"]} when the spec has the component, else {@code [null, null]}. */
  private static ArrayNode onnxComponent(FolderSpec spec, String folder) {
    boolean present = spec.components().stream().anyMatch(c -> c.folder().equals(folder));
    return present ? pair("diffusers", "OnnxRuntimeModel") : pair(null, null);
  }

  /** The SD v1.5 {@code scheduler_config.json} (reference facts §3), plus {@code prediction_type} unless eps. */
  static ObjectNode schedulerConfig(Parameterization prediction) {
    ObjectNode n = JSON.objectNode();
    n.put("_class_name", "PNDMScheduler");
    n.put("beta_end", 0.012);
    n.put("beta_schedule", "scaled_linear");
    n.put("beta_start", 0.00085);
    n.put("clip_sample", false);
    n.put("num_train_timesteps", 1000);
    n.put("set_alpha_to_one", false);
    n.put("skip_prk_steps", true);
    n.put("steps_offset", 1);
    n.putNull("trained_betas");
    switch (prediction) {
      case EPS -> { }
      case X0 -> n.put("prediction_type", "sample");
      case V -> n.put("prediction_type", "v_prediction");
    }
    return n;
  }

  /**
   * The SD v1 CLIP tokenizer folder: {@code vocab.json}, {@code merges.txt} and {@code
   * tokenizer_config.json} as ldm4j-conditioning writes them, plus {@code special_tokens_map.json}.
   */
  private static void writeTokenizer(Path dir, java.util.Optional<String> padToken) throws IOException {
    ClipVocabulary vocab = padToken.map(ClipVocabulary.openAiClip()::withPadToken).orElseGet(ClipVocabulary::openAiClip);
    vocab.writeTokenizerDirectory(dir);
    ObjectNode special = JSON.objectNode();
    special.put("bos_token", vocab.bosToken());
    special.put("eos_token", vocab.eosToken());
    special.put("pad_token", vocab.padToken());
    special.put("unk_token", vocab.unkToken().orElse(vocab.eosToken()));
    writeJson(dir.resolve("special_tokens_map.json"), special);
  }

  private static ArrayNode pair(String library, String className) {
    ArrayNode a = JSON.arrayNode();
    if (library == null) {
      a.addNull();
      a.addNull();
    } else {
      a.add(library);
      a.add(className);
    }
    return a;
  }

  /** Writes pretty-printed JSON with a trailing newline. */
  static void writeJson(Path file, ObjectNode node) throws IOException {
    Files.createDirectories(file.toAbsolutePath().getParent());
    Files.writeString(file, MAPPER.writeValueAsString(node) + "\n", StandardCharsets.UTF_8);
  }

  private static long folderSize(Path root) throws IOException {
    try (Stream<Path> s = Files.walk(root)) {
      long total = 0;
      for (Path p : (Iterable<Path>) s::iterator) {
        if (Files.isRegularFile(p)) {
          total += Files.size(p);
        }
      }
      return total;
    }
  }
}
