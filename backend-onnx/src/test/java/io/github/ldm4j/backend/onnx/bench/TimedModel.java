package io.github.ldm4j.backend.onnx.bench;

import io.github.ldm4j.backend.onnx.OnnxNetworks;
import io.github.ldm4j.backend.onnx.OnnxOptions;
import io.github.ldm4j.conditioning.clip.ClipTokenizer;
import io.github.ldm4j.conditioning.text.ClipCondStage;
import io.github.ldm4j.conditioning.text.TextConditioningOptions;
import io.github.ldm4j.folder.ModelFolder;
import io.github.ldm4j.model.Denoiser;
import io.github.ldm4j.samplers.diffusers.TrainingSetup;
import io.github.ldm4j.spi.ModelComponents;
import java.io.IOException;
import java.nio.file.Path;

/**
 * Opens a model folder the way {@code OnnxBackend.open} does (same training setup, tokenizer,
 * networks and cond-stage options), but with each network behind a timing decorator, so a
 * generation's time inside network calls can be told from the rest.
 */
final class TimedModel {

  private TimedModel() {}

  /** The folder's components with timed networks; the caller owns (and closes) them. */
  static ModelComponents open(Path dir, OnnxOptions options, CallTimes times) throws IOException {
    ModelFolder folder = ModelFolder.openOnnx(dir);
    TrainingSetup training = TrainingSetup.of(folder);
    ClipTokenizer tokenizer = ClipTokenizer.forModel(folder);
    OnnxNetworks nets = OnnxNetworks.open(folder, options, training.parameterization());
    try {
      ClipCondStage condStage = new ClipCondStage(
          tokenizer, new TimedTextEncoder(nets.textEncoder(), times), TextConditioningOptions.defaults());
      return new ModelComponents(new TimedFirstStage(nets.firstStage(), times), condStage,
          Denoiser.of(new TimedUNet(nets.unet(), times)), training.schedule(), folder.name(),
          folder.schedulerConfig());
    } catch (RuntimeException e) {
      nets.close();
      throw e;
    }
  }
}
