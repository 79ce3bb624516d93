package io.github.ldm4j.backend.onnx;

import io.github.ldm4j.conditioning.clip.ClipTokenizer;
import io.github.ldm4j.conditioning.clip.ClipVocabulary;
import io.github.ldm4j.conditioning.text.ClipCondStage;
import io.github.ldm4j.conditioning.text.TextConditioningOptions;
import io.github.ldm4j.folder.ModelFolder;
import io.github.ldm4j.model.Denoiser;
import io.github.ldm4j.model.Parameterization;
import io.github.ldm4j.samplers.diffusers.DiffusersSchedulers;
import io.github.ldm4j.samplers.diffusers.SamplerRecipe;
import io.github.ldm4j.schedule.DiffusionSchedule;
import io.github.ldm4j.spi.ModelComponents;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Opens a model folder in the diffusers / optimum ONNX layout as {@link ModelComponents}: the
 * training schedule and parameterization from {@code scheduler/scheduler_config.json} (SD v1's and
 * eps when absent), the tokenizer from {@code tokenizer/} (OpenAI's CLIP vocabulary when absent),
 * the VAE scale factor from the VAE config (0.18215 when absent), and the three networks with
 * their tensor contracts checked.
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
    DiffusionSchedule schedule = DiffusionSchedule.stableDiffusionV1();
    Parameterization parameterization = Parameterization.EPS;
    if (folder.schedulerConfig().isPresent()) {
      SamplerRecipe recipe;
      try {
        recipe = DiffusersSchedulers.recipe(folder.schedulerConfig().get());
      } catch (IllegalArgumentException | java.io.UncheckedIOException e) {
        throw new IOException(folder.schedulerConfig().get() + ": " + e.getMessage(), e);
      }
      schedule = recipe.diffusionSchedule();
      parameterization = recipe.parameterization();
    }
    ClipTokenizer tokenizer = folder.tokenizerDir().isPresent()
        ? tokenizer(folder.tokenizerDir().get())
        : ClipTokenizer.openAiClip();
    OnnxNetworks nets = OnnxNetworks.open(folder, options, parameterization);
    try {
      ClipCondStage condStage = new ClipCondStage(tokenizer, nets.textEncoder(), TextConditioningOptions.defaults());
      return new ModelComponents(nets.firstStage(), condStage, Denoiser.of(nets.unet()), schedule,
          name(folder.root()), folder.schedulerConfig());
    } catch (RuntimeException e) {
      nets.close();
      throw e;
    }
  }

  /** The folder's tokenizer; missing or malformed files are I/O errors naming the file, as for every model file. */
  private static ClipTokenizer tokenizer(Path dir) throws IOException {
    try {
      return new ClipTokenizer(ClipVocabulary.fromTokenizerDirectory(dir));
    } catch (IllegalArgumentException | java.io.UncheckedIOException e) {
      throw new IOException("cannot read the tokenizer in " + dir + ": " + e.getMessage(), e);
    }
  }

  private static String name(Path root) {
    Path n = root.getFileName();
    return n == null ? root.toString() : n.toString();
  }

  /** Opens with default options (CPU). */
  public static ModelComponents open(Path modelDir) throws IOException {
    return open(modelDir, OnnxOptions.DEFAULTS);
  }

  /** Whether the folder exists and holds the required ONNX networks, without loading anything. */
  public static Optional<String> check(Path modelDir) {
    try {
      ModelFolder.openOnnx(modelDir);
      return Optional.empty();
    } catch (IOException e) {
      return Optional.of(e.getMessage());
    }
  }
}
