package io.github.ldm4j.backend.onnx;

import io.github.ldm4j.backend.onnx.internal.OnnxSession;
import io.github.ldm4j.conditioning.clip.ClipTokenizer;
import io.github.ldm4j.conditioning.text.ClipCondStage;
import io.github.ldm4j.conditioning.text.TextConditioningOptions;
import io.github.ldm4j.folder.ModelComponent;
import io.github.ldm4j.folder.ModelFolder;
import io.github.ldm4j.model.Denoiser;
import io.github.ldm4j.samplers.diffusers.TrainingSetup;
import io.github.ldm4j.spi.ModelComponents;
import io.github.ldm4j.spi.NetworkDescription;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;

/**
 * Opens a model folder in the diffusers / optimum ONNX layout as {@link ModelComponents}: the
 * training schedule and parameterization from {@code scheduler/scheduler_config.json} ({@link
 * TrainingSetup}: SD v1's and eps when absent), the tokenizer from {@code tokenizer/} ({@link
 * ClipTokenizer#forModel}: OpenAI's CLIP vocabulary when absent), the VAE scale factor from the VAE
 * config (0.18215 when absent), and the three networks with their tensor contracts checked.
 */
public final class OnnxBackend {

  private OnnxBackend() {}

  /**
   * Opens {@code modelDir}. The caller owns the result and must close it.
   *
   * @throws IOException naming the missing, unreadable or corrupt file
   * @throws IllegalArgumentException naming the component and tensor of an unsupported contract, or
   *     a scheduler config that cannot be reproduced
   */
  public static ModelComponents open(Path modelDir, OnnxOptions options) throws IOException {
    ModelFolder folder = ModelFolder.openOnnx(modelDir);
    TrainingSetup training = TrainingSetup.of(folder);
    ClipTokenizer tokenizer = ClipTokenizer.forModel(folder);
    OnnxNetworks nets = OnnxNetworks.open(folder, options, training.parameterization());
    try {
      ClipCondStage condStage = new ClipCondStage(tokenizer, nets.textEncoder(), TextConditioningOptions.defaults());
      return new ModelComponents(nets.firstStage(), condStage, Denoiser.of(nets.unet()), training.schedule(),
          folder.name(), folder.schedulerConfig());
    } catch (RuntimeException e) {
      nets.close();
      throw e;
    }
  }

  /** Opens with default options (CPU). */
  public static ModelComponents open(Path modelDir) throws IOException {
    return open(modelDir, OnnxOptions.DEFAULTS);
  }

  /**
   * Describes the networks of {@code modelDir} as ONNX Runtime declares them, opening (and closing)
   * one session at a time.
   *
   * @throws IOException naming the missing, unreadable or corrupt file
   */
  public static List<NetworkDescription> describe(Path modelDir, OnnxOptions options) throws IOException {
    ModelFolder folder = ModelFolder.openOnnx(modelDir);
    List<NetworkDescription> out = new ArrayList<>();
    for (ModelComponent c : ModelComponent.values()) {
      if (folder.has(c)) {
        Path file = folder.networkFile(c, EnumSet.of(ModelFolder.Format.ONNX));
        try (OnnxSession s = OnnxSession.open(file, c, options)) {
          out.add(new NetworkDescription(c, file, List.copyOf(s.inputContract().values()),
              List.copyOf(s.outputContract().values())));
        }
      }
    }
    return out;
  }
}
