package io.github.ldm4j.backend.conformance;

import io.github.ldm4j.export.folder.ExportFlavor;
import io.github.ldm4j.export.folder.PipelineVariant;
import io.github.ldm4j.export.folder.Precision;
import io.github.ldm4j.testkit.sd.SdOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * One tiny-SD model folder of the conformance suite: an export flavor, a precision and a pipeline
 * variant, on {@link SdOptions#tiny()} (64 px, seed 0). Models of the same seed share their weights
 * across flavors and precisions (fp16 weights are the fp32 ones rounded).
 *
 * @param flavor the export contract
 * @param precision float32 or float16 tensors
 * @param variant text-to-image (4-channel UNet) or inpainting (9-channel UNet)
 */
public record ConformanceCase(ExportFlavor flavor, Precision precision, PipelineVariant variant) {

  /** Rejects nulls. */
  public ConformanceCase {
    Objects.requireNonNull(flavor, "flavor");
    Objects.requireNonNull(precision, "precision");
    Objects.requireNonNull(variant, "variant");
  }

  /** Every combination: 3 flavors × 2 precisions × 2 variants. */
  public static List<ConformanceCase> all() {
    List<ConformanceCase> out = new ArrayList<>();
    for (ExportFlavor f : ExportFlavor.values()) {
      // the float precisions: int8 weights are pinned against fp32 by the checkpoint module's Int8WeightsFidelityTest
      for (Precision p : List.of(Precision.FP32, Precision.FP16)) {
        for (PipelineVariant v : PipelineVariant.values()) {
          out.add(new ConformanceCase(f, p, v));
        }
      }
    }
    return out;
  }

  /** The testkit options writing this case's folder. */
  public SdOptions options() {
    return SdOptions.tiny().withFlavor(flavor).withPrecision(precision).withVariant(variant);
  }

  /** Whether the UNet takes the 9-channel inpainting input. */
  public boolean inpainting() {
    return variant == PipelineVariant.INPAINTING;
  }

  /** The same flavor and variant in another precision. */
  public ConformanceCase withPrecision(Precision p) {
    return new ConformanceCase(flavor, p, variant);
  }

  /** A folder name, e.g. {@code optimum-fp16-inpainting}. */
  public String id() {
    return (flavor + "-" + precision + "-" + variant).toLowerCase(Locale.ROOT).replace('_', '-');
  }

  @Override
  public String toString() {
    return id();
  }
}
