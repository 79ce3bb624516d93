package io.github.ldm4j.testkit.internal.folder;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.ldm4j.model.Parameterization;
import io.github.ldm4j.testkit.ExportFlavor;
import io.github.ldm4j.testkit.GeneratedFolder;
import io.github.ldm4j.testkit.PipelineVariant;
import io.github.ldm4j.testkit.folder.ClipBpeVocabulary;
import io.github.ldm4j.testkit.onnx.OnnxModelWriter;
import io.github.ldm4j.testkit.onnx.WriteProgress;
import io.github.ldm4j.testkit.onnx.WrittenModel;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
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
      writeTokenizer(root.resolve("tokenizer"));
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
   * {@code model_index.json}: the legacy flavor names diffusers' ONNX pipeline classes with
   * {@code OnnxRuntimeModel} components; optimum-style flavors keep the PyTorch pipeline's index.
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
    n.set("text_encoder", legacy ? pair("diffusers", "OnnxRuntimeModel") : pair("transformers", "CLIPTextModel"));
    n.set("tokenizer", pair("transformers", "CLIPTokenizer"));
    n.set("unet", legacy ? pair("diffusers", "OnnxRuntimeModel") : pair("diffusers", "UNet2DConditionModel"));
    if (legacy) {
      boolean hasEncoder = spec.components().stream().anyMatch(c -> c.folder().equals("vae_encoder"));
      n.set("vae_decoder", pair("diffusers", "OnnxRuntimeModel"));
      if (hasEncoder) {
        n.set("vae_encoder", pair("diffusers", "OnnxRuntimeModel"));
      }
    } else {
      n.set("vae", pair("diffusers", "AutoencoderKL"));
    }
    return n;
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

  private static void writeTokenizer(Path dir) throws IOException {
    Files.createDirectories(dir);
    ClipBpeVocabulary vocab = ClipBpeVocabulary.load();
    ObjectNode v = JSON.objectNode();
    List<String> tokens = vocab.tokens();
    for (int i = 0; i < tokens.size(); i++) {
      v.put(tokens.get(i), i);
    }
    Files.writeString(dir.resolve("vocab.json"), new ObjectMapper().writeValueAsString(v), StandardCharsets.UTF_8);
    try (Writer w = new BufferedWriter(Files.newBufferedWriter(dir.resolve("merges.txt"), StandardCharsets.UTF_8))) {
      w.write("#version: 0.2\n");
      for (String m : vocab.merges()) {
        w.write(m);
        w.write('\n');
      }
    }
    ObjectNode special = JSON.objectNode();
    special.put("bos_token", ClipBpeVocabulary.BOS);
    special.put("eos_token", ClipBpeVocabulary.EOS);
    special.put("pad_token", ClipBpeVocabulary.EOS);
    special.put("unk_token", ClipBpeVocabulary.EOS);
    writeJson(dir.resolve("special_tokens_map.json"), special);
    ObjectNode config = special.deepCopy();
    config.put("tokenizer_class", "CLIPTokenizer");
    config.put("model_max_length", 77);
    config.put("do_lower_case", true);
    config.put("add_prefix_space", false);
    config.put("errors", "replace");
    writeJson(dir.resolve("tokenizer_config.json"), config);
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
