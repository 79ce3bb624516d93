package io.github.ldm4j.export.folder;

import io.github.ldm4j.spi.Placement;
import java.util.Arrays;
import java.util.Locale;
import java.util.Objects;

/**
 * The precision a checkpoint is converted at, as users choose it: a {@link Precision}, or {@link
 * #AUTO} — float16 when the UNet runs on a GPU ({@link #onGpu}), else float32. The one home of what
 * {@code auto} means, for the CLI's {@code --precision} and the server's {@code
 * quarkus.ldm4j.precision}.
 */
public enum PrecisionChoice {
  /** {@link Precision#FP16} when the UNet is placed on a GPU ({@link #onGpu}), else {@link Precision#FP32}. */
  AUTO(null),
  /** {@link Precision#FP32}. */
  FP32(Precision.FP32),
  /** {@link Precision#FP16}. */
  FP16(Precision.FP16),
  /** {@link Precision#INT8}. */
  INT8(Precision.INT8),
  /** {@link Precision#INT8_LINEAR} ({@code int8-linear}). */
  INT8_LINEAR(Precision.INT8_LINEAR);

  private final Precision fixed;

  PrecisionChoice(Precision fixed) {
    this.fixed = fixed;
  }

  /** The precision of a UNet placed at {@code unet}: the fixed one, or for {@link #AUTO} by {@link #onGpu}. */
  public Precision resolve(Placement unet) {
    Objects.requireNonNull(unet, "unet");
    if (fixed != null) {
      return fixed;
    }
    return onGpu(unet) ? Precision.FP16 : Precision.FP32;
  }

  /**
   * Whether a network placed at {@code placement} runs on a GPU, where {@link #AUTO} means float16:
   * ONNX Runtime on {@code cuda}, {@code tensorrt}, {@code directml} or {@code coreml}; OpenVINO on a
   * {@code GPU} device. Anything else (a CPU, an NPU, another backend) is not.
   */
  public static boolean onGpu(Placement placement) {
    String d = placement.device().toLowerCase(Locale.ROOT);
    return switch (placement.backend().toLowerCase(Locale.ROOT)) {
      case "onnx" -> d.startsWith("cuda") || d.startsWith("tensorrt") || d.startsWith("directml") || d.startsWith("coreml");
      case "openvino" -> d.contains("gpu");
      default -> false;
    };
  }

  /** The choices' names, in declaration order: {@code [auto, fp32, fp16, int8, int8-linear]}. */
  public static String names() {
    return Arrays.toString(values());
  }

  /**
   * Parses {@code auto} / {@code fp32} / {@code fp16} / {@code int8} / {@code int8-linear}
   * (case-insensitive).
   *
   * @throws IllegalArgumentException naming the value and the choices
   */
  public static PrecisionChoice fromName(String name) {
    for (PrecisionChoice c : values()) {
      String n = name == null ? "" : name.strip();
      if (c.toString().equalsIgnoreCase(n)) {
        return c;
      }
    }
    throw new IllegalArgumentException("unknown precision '" + name + "', expected one of " + names());
  }

  /** The name on the command line and in the configuration: {@code auto}, or the precision's {@link Precision#cliName}. */
  @Override
  public String toString() {
    return fixed == null ? "auto" : fixed.cliName();
  }
}
