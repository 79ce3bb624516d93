package io.github.ldm4j.demo;

import io.github.ldm4j.export.folder.ExportFlavor;
import io.github.ldm4j.export.folder.PipelineVariant;
import io.github.ldm4j.export.folder.Precision;
import io.github.ldm4j.model.Parameterization;
import java.util.Objects;

/**
 * Options of a generated shapes-oracle folder.
 *
 * @param imageSize image side S in pixels (multiple of 8, 16..2048); the latent is S/8
 * @param flavor export flavor (tensor contract)
 * @param precision float tensor precision of inputs and outputs (computation is always float32)
 * @param prediction what the UNet outputs: ε, x₀ or v
 * @param variant text-to-image (4-channel UNet) or inpainting (9-channel)
 * @param priorStrength the prior strength β (see {@link PriorStrength} for why it scales with size)
 * @param sizes whether the UNet takes only {@code imageSize} or any size (the images then drawn at
 *     the requested size inside the graph)
 */
public record ShapesOptions(int imageSize, ExportFlavor flavor, Precision precision, Parameterization prediction,
    PipelineVariant variant, PriorStrength priorStrength, Sizes sizes) {

  /** Which image sizes the UNet takes. */
  public enum Sizes {
    /** Only {@code imageSize}: the dataset latents are constants of the graph (fixed input shape). */
    FIXED,
    /**
     * Any multiple of 8 (16 px and up; non-square too): the 16 images are drawn at the requested size
     * inside the graph, centred and sized by the shorter side; {@code imageSize} fixes the scaling
     * factor and the config's default size. At {@code imageSize} the images are the fixed variant's,
     * byte for byte.
     */
    ANY
  }

  /** The default image size, as SD v1. */
  public static final int DEFAULT_SIZE = 512;

  /** Validates the size and rejects nulls. */
  public ShapesOptions {
    ShapesDataset.checkSize(imageSize);
    Objects.requireNonNull(flavor, "flavor");
    Objects.requireNonNull(precision, "precision");
    if (precision.int8Weights()) {
      throw new IllegalArgumentException("precision " + precision.cliName() + ": the shapes model's networks are analytic, with no weights to "
          + "quantize; use fp32 or fp16");
    }
    Objects.requireNonNull(prediction, "prediction");
    Objects.requireNonNull(variant, "variant");
    Objects.requireNonNull(priorStrength, "priorStrength");
    Objects.requireNonNull(sizes, "sizes");
  }

  /**
   * 512×512, optimum flavor, fp32, ε prediction, text-to-image, β scaled with size, a fixed size:
   * the oracle the tests build variants of.
   */
  public static ShapesOptions defaults() {
    return new ShapesOptions(DEFAULT_SIZE, ExportFlavor.OPTIMUM, Precision.FP32, Parameterization.EPS,
        PipelineVariant.TEXT_TO_IMAGE, PriorStrength.scaledWithSize(), Sizes.FIXED);
  }

  /** The embedded demo model: {@link #defaults()} taking {@link Sizes#ANY any size} (512 × 512 by default). */
  public static ShapesOptions demo() {
    return defaults().withSizes(Sizes.ANY);
  }

  /** β at this image size. */
  public double beta() {
    return priorStrength.beta(imageSize);
  }

  /** A copy with another image size. */
  public ShapesOptions withImageSize(int size) {
    return new ShapesOptions(size, flavor, precision, prediction, variant, priorStrength, sizes);
  }

  /** A copy with another flavor. */
  public ShapesOptions withFlavor(ExportFlavor f) {
    return new ShapesOptions(imageSize, f, precision, prediction, variant, priorStrength, sizes);
  }

  /** A copy with another precision. */
  public ShapesOptions withPrecision(Precision p) {
    return new ShapesOptions(imageSize, flavor, p, prediction, variant, priorStrength, sizes);
  }

  /** A copy with another prediction type. */
  public ShapesOptions withPrediction(Parameterization p) {
    return new ShapesOptions(imageSize, flavor, precision, p, variant, priorStrength, sizes);
  }

  /** A copy with another pipeline variant. */
  public ShapesOptions withVariant(PipelineVariant v) {
    return new ShapesOptions(imageSize, flavor, precision, prediction, v, priorStrength, sizes);
  }

  /** A copy with another prior strength. */
  public ShapesOptions withPriorStrength(PriorStrength p) {
    return new ShapesOptions(imageSize, flavor, precision, prediction, variant, p, sizes);
  }

  /** A copy taking {@code s} sizes. */
  public ShapesOptions withSizes(Sizes s) {
    return new ShapesOptions(imageSize, flavor, precision, prediction, variant, priorStrength, s);
  }
}
