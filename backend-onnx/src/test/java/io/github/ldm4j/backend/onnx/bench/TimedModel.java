package io.github.ldm4j.backend.onnx.bench;

import io.github.ldm4j.backend.onnx.OnnxNetworks;
import io.github.ldm4j.backend.onnx.OnnxOptions;
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

/**
 * Opens a model folder the way {@code OnnxBackend.open} does, but with each network behind a
 * timing decorator, so a generation's time inside network calls can be told from the rest.
 */
final class TimedModel {

  private TimedModel() {}

  /** The folder's components with timed networks; the caller owns (and closes) them. */
  static ModelComponents open(Path dir, OnnxOptions options, CallTimes times) throws IOException {
    ModelFolder folder = ModelFolder.openOnnx(dir);
    DiffusionSchedule schedule = DiffusionSchedule.stableDiffusionV1();
    Parameterization parameterization = Parameterization.EPS;
    if (folder.schedulerConfig().isPresent()) {
      SamplerRecipe recipe = DiffusersSchedulers.recipe(folder.schedulerConfig().get());
      schedule = recipe.diffusionSchedule();
      parameterization = recipe.parameterization();
    }
    ClipTokenizer tokenizer = folder.tokenizerDir().isPresent()
        ? new ClipTokenizer(ClipVocabulary.fromTokenizerDirectory(folder.tokenizerDir().get()))
        : ClipTokenizer.openAiClip();
    OnnxNetworks nets = OnnxNetworks.open(folder, options, parameterization);
    ClipCondStage condStage = new ClipCondStage(
        tokenizer, new TimedTextEncoder(nets.textEncoder(), times), TextConditioningOptions.defaults());
    return new ModelComponents(new TimedFirstStage(nets.firstStage(), times), condStage,
        Denoiser.of(new TimedUNet(nets.unet(), times)), schedule, String.valueOf(dir.getFileName()),
        folder.schedulerConfig());
  }
}
