package io.github.ldm4j.testkit.sd;

import io.github.ldm4j.testkit.ExportFlavor;
import io.github.ldm4j.testkit.PipelineVariant;
import io.github.ldm4j.testkit.Precision;
import io.github.ldm4j.testkit.onnx.WeightStorage;
import java.util.Objects;

/**
 * Options of a generated SD v1-architecture folder with seeded random weights.
 *
 * @param architecture network sizes (the inpainting variant widens the UNet input to 9 channels)
 * @param flavor export flavor
 * @param precision float tensor precision (fp16 graphs compute in fp16, as fp16 exports do)
 * @param variant text-to-image or inpainting
 * @param seed weight seed: same seed, same bytes
 * @param imageSize nominal image side written to the configs ({@code sample_size}); the graphs
 *     accept any size whose latent is divisible by the UNet's downsampling factor
 * @param storage where the weights go
 */
public record SdOptions(SdArchitecture architecture, ExportFlavor flavor, Precision precision,
    PipelineVariant variant, long seed, int imageSize, WeightStorage storage) {

  /** Validates the image size against the VAE and UNet downsampling factors; rejects nulls. */
  public SdOptions {
    Objects.requireNonNull(architecture, "architecture");
    Objects.requireNonNull(flavor, "flavor");
    Objects.requireNonNull(precision, "precision");
    Objects.requireNonNull(variant, "variant");
    Objects.requireNonNull(storage, "storage");
    int factor = architecture.vae().downsamplingFactor() * architecture.unet().downsamplingFactor();
    if (imageSize <= 0 || imageSize % factor != 0) {
      throw new IllegalArgumentException("imageSize must be a positive multiple of " + factor
          + " (VAE factor 8 × UNet factor " + architecture.unet().downsamplingFactor() + "), got " + imageSize);
    }
    if (architecture.unet().inChannels() != architecture.vae().latentChannels()) {
      throw new IllegalArgumentException("give a text-to-image architecture (UNet input = latent channels "
          + architecture.vae().latentChannels() + "); the INPAINTING variant widens it itself");
    }
  }

  /** Family 1: {@link SdArchitecture#tiny()}, optimum flavor, fp32, text-to-image, seed 0, 64 px, inline. */
  public static SdOptions tiny() {
    return new SdOptions(SdArchitecture.tiny(), ExportFlavor.OPTIMUM, Precision.FP32, PipelineVariant.TEXT_TO_IMAGE,
        0, 64, WeightStorage.INLINE);
  }

  /**
   * Family 3: full-scale SD v1.5 sizes, optimum flavor, 512 px, seed 0, weights external above
   * 1 GiB per model ({@link WeightStorage#AUTO}).
   */
  public static SdOptions fullScale(Precision precision) {
    return new SdOptions(SdArchitecture.stableDiffusionV1(), ExportFlavor.OPTIMUM, precision,
        PipelineVariant.TEXT_TO_IMAGE, 0, 512, WeightStorage.AUTO);
  }

  /** The architecture actually generated: with a 9-channel UNet for {@link PipelineVariant#INPAINTING}. */
  public SdArchitecture effectiveArchitecture() {
    return variant == PipelineVariant.INPAINTING ? architecture.inpainting() : architecture;
  }

  /** A copy with another flavor. */
  public SdOptions withFlavor(ExportFlavor f) {
    return new SdOptions(architecture, f, precision, variant, seed, imageSize, storage);
  }

  /** A copy with another precision. */
  public SdOptions withPrecision(Precision p) {
    return new SdOptions(architecture, flavor, p, variant, seed, imageSize, storage);
  }

  /** A copy with another variant. */
  public SdOptions withVariant(PipelineVariant v) {
    return new SdOptions(architecture, flavor, precision, v, seed, imageSize, storage);
  }

  /** A copy with another seed. */
  public SdOptions withSeed(long s) {
    return new SdOptions(architecture, flavor, precision, variant, s, imageSize, storage);
  }

  /** A copy with another image size. */
  public SdOptions withImageSize(int size) {
    return new SdOptions(architecture, flavor, precision, variant, seed, size, storage);
  }

  /** A copy with another weight storage. */
  public SdOptions withStorage(WeightStorage s) {
    return new SdOptions(architecture, flavor, precision, variant, seed, imageSize, s);
  }
}
