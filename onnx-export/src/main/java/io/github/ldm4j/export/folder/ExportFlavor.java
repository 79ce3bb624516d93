package io.github.ldm4j.export.folder;

import io.github.ldm4j.export.onnx.Dim;
import io.github.ldm4j.export.onnx.ElementType;
import io.github.ldm4j.export.onnx.TensorType;
import java.util.Arrays;
import java.util.Locale;

/**
 * The tensor contract of a generated model folder, following the three kinds of real exports
 * (reference facts §4). Names are the same in all flavors; dtypes and ranks differ.
 */
public enum ExportFlavor {
  /**
   * The legacy diffusers ONNX script: int32 {@code input_ids}, float {@code timestep} of shape [B],
   * the VAE encoder returns a 4-channel {@code latent_sample}.
   */
  LEGACY(ElementType.INT32, false, false),
  /**
   * Hugging Face optimum ONNX: int64 {@code input_ids}, float scalar (rank-0) {@code timestep}, the
   * VAE encoder returns the 8-channel {@code latent_parameters} (mean ‖ logvar).
   */
  OPTIMUM(ElementType.INT64, true, true),
  /**
   * The contract of optimum-intel's OpenVINO IR, as ONNX files: as {@link #OPTIMUM} but with an
   * int64 {@code timestep} of shape [B].
   */
  OPENVINO(ElementType.INT64, false, true);

  /** Name of the UNet's timestep input. */
  public static final String TIMESTEP = "timestep";

  private final ElementType inputIdsType;
  private final boolean scalarTimestep;
  private final boolean encoderOutputsParameters;

  ExportFlavor(ElementType inputIdsType, boolean scalarTimestep, boolean encoderOutputsParameters) {
    this.inputIdsType = inputIdsType;
    this.scalarTimestep = scalarTimestep;
    this.encoderOutputsParameters = encoderOutputsParameters;
  }

  /** Element type of the text encoder's {@code input_ids}. */
  public ElementType inputIdsType() {
    return inputIdsType;
  }

  /** Declared type of the UNet's {@code timestep} input at precision {@code precision}. */
  public TensorType timestepType(Precision precision) {
    if (this == OPENVINO) {
      return TensorType.of(ElementType.INT64, Dim.symbolic("timestep_batch"));
    }
    ElementType t = precision.floatType();
    return scalarTimestep ? TensorType.of(t) : TensorType.of(t, Dim.symbolic("timestep_batch"));
  }

  /** True when the VAE encoder returns the distribution parameters (8 channels), false for a 4-channel sample. */
  public boolean encoderOutputsParameters() {
    return encoderOutputsParameters;
  }

  /** Name of the VAE encoder's output: {@code latent_parameters} or {@code latent_sample}. */
  public String vaeEncoderOutput() {
    return encoderOutputsParameters ? "latent_parameters" : "latent_sample";
  }

  /** Parses a flavor name ({@code legacy}, {@code optimum}, {@code openvino}; case-insensitive). */
  public static ExportFlavor fromName(String name) {
    for (ExportFlavor f : values()) {
      if (f.name().equalsIgnoreCase(name)) {
        return f;
      }
    }
    throw new IllegalArgumentException("unknown export flavor '" + name + "', expected one of "
        + Arrays.toString(values()).toLowerCase(Locale.ROOT));
  }
}
