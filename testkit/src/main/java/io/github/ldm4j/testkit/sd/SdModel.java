package io.github.ldm4j.testkit.sd;

import io.github.ldm4j.export.folder.Component;
import io.github.ldm4j.export.folder.FolderSpec;
import io.github.ldm4j.export.folder.FolderWriter;
import io.github.ldm4j.export.folder.GeneratedFolder;
import io.github.ldm4j.export.onnx.WriteProgress;
import io.github.ldm4j.export.sd.SdArchitecture;
import io.github.ldm4j.export.sd.SdConfigs;
import io.github.ldm4j.export.sd.SdGraphs;
import io.github.ldm4j.export.sd.Weights;
import io.github.ldm4j.model.Parameterization;
import io.github.ldm4j.testkit.internal.SeededWeights;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * Model families 1 and 3: the SD v1 architecture with seeded random weights, written as a complete
 * ONNX pipeline folder. At {@link SdOptions#tiny()} sizes it is the backend conformance model (same
 * graph for every backend); at {@link SdOptions#fullScale} sizes it has SD v1.5's parameter counts
 * and costs, for benchmarks ({@link FullScaleSdCommand} writes one).
 */
public final class SdModel {

  /** Family name recorded in the component configs. */
  public static final String FAMILY = "random-sd-v1";

  /** SD v1's {@code scaling_factor}, written to the VAE configs. */
  public static final double SCALING_FACTOR = 0.18215;

  private SdModel() {
  }

  /** Writes the folder without progress reports. */
  public static GeneratedFolder write(Path dir, SdOptions options) {
    return write(dir, options, WriteProgress.NONE);
  }

  /**
   * Writes model_index.json, scheduler, tokenizer, text_encoder, unet, vae_decoder and vae_encoder
   * into {@code dir}, reporting weight bytes written to {@code progress}.
   */
  public static GeneratedFolder write(Path dir, SdOptions options, WriteProgress progress) {
    Objects.requireNonNull(dir, "dir");
    Objects.requireNonNull(options, "options");
    Objects.requireNonNull(progress, "progress");
    SdArchitecture a = options.effectiveArchitecture();
    var f = options.flavor();
    var p = options.precision();
    Weights seeded = SeededWeights.weights(options.seed());
    int latent = options.imageSize() / a.vae().downsamplingFactor();
    var vaeConfig = SdConfigs.vae(a.vae(), options.imageSize(), SCALING_FACTOR, FAMILY);
    List<Component> components = List.of(
        new Component("text_encoder", SdGraphs.textEncoder(a, f, p, seeded, options.textHiddenStates()), SdConfigs.text(a.text(), FAMILY)),
        new Component("unet", SdGraphs.unet(a, f, p, seeded), SdConfigs.unet(a.unet(), latent, FAMILY)),
        new Component("vae_decoder", SdGraphs.vaeDecoder(a, p, seeded), vaeConfig),
        new Component("vae_encoder", SdGraphs.vaeEncoder(a, f, p, seeded), vaeConfig.deepCopy()));
    FolderSpec spec = new FolderSpec(f, options.variant(), Parameterization.EPS, options.storage(), components);
    return FolderWriter.write(dir, spec, progress);
  }
}
