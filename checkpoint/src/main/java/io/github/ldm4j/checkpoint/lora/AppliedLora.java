package io.github.ldm4j.checkpoint.lora;

import java.nio.file.Path;
import java.util.Objects;

/**
 * A LoRA file applied with its multipliers, in AUTOMATIC1111's order: the text encoder's first,
 * then the UNet's, which defaults to the text encoder's ({@code <lora:name:te:unet>}).
 *
 * @param file the LoRA file
 * @param teMultiplier the text-encoder multiplier
 * @param unetMultiplier the UNet multiplier
 */
public record AppliedLora(Path file, double teMultiplier, double unetMultiplier) {

  /** Validates and normalises the path. */
  public AppliedLora {
    file = file.toAbsolutePath().normalize();
    requireFinite(teMultiplier, unetMultiplier);
  }

  /** {@code file} at {@code weight} for both networks. */
  public AppliedLora(Path file, double weight) {
    this(file, weight, weight);
  }

  /**
   * Parses {@code FILE[:WEIGHT[:UNET_WEIGHT]]} (the {@code --lora} option): the weight defaults to 1,
   * the UNet weight to the weight. Trailing {@code :number} parts are the weights, so a file name
   * may contain colons.
   *
   * @throws IllegalArgumentException naming the text when the file part is empty or a weight is not finite
   */
  public static AppliedLora parse(String text) {
    return parse(text, Path::of);
  }

  /**
   * Parses {@code FILE[:WEIGHT[:UNET_WEIGHT]]} as {@link #parse(String)} does, the file part turned
   * into a path by {@code resolve} (a model library's lookup of a name).
   *
   * @throws IllegalArgumentException naming the text when the file part is empty, a weight is not
   *     finite or {@code resolve} refuses the file part
   */
  public static AppliedLora parse(String text, java.util.function.Function<String, Path> resolve) {
    Objects.requireNonNull(text, "text");
    Objects.requireNonNull(resolve, "resolve");
    String rest = text;
    double[] numbers = new double[2];
    int n = 0;
    while (n < 2) {
      int colon = rest.lastIndexOf(':');
      if (colon < 0) {
        break;
      }
      Double value = number(rest.substring(colon + 1));
      if (value == null) {
        break;
      }
      numbers[n++] = value;
      rest = rest.substring(0, colon);
    }
    if (rest.isEmpty()) {
      throw new IllegalArgumentException("'" + text + "': expected FILE[:WEIGHT[:UNET_WEIGHT]], no file given");
    }
    double te = n == 0 ? 1 : n == 1 ? numbers[0] : numbers[1];
    double unet = n == 2 ? numbers[0] : te;
    try {
      return new AppliedLora(resolve.apply(rest), te, unet);
    } catch (IllegalArgumentException e) { // also InvalidPathException
      throw new IllegalArgumentException("'" + text + "': " + e.getMessage(), e);
    }
  }

  private static Double number(String s) {
    if (!s.matches("[+-]?(\\d+\\.?\\d*|\\.\\d+)([eE][+-]?\\d+)?")) {
      return null;
    }
    return Double.parseDouble(s);
  }

  static void requireFinite(double te, double unet) {
    if (!Double.isFinite(te) || !Double.isFinite(unet)) {
      throw new IllegalArgumentException("LoRA multipliers must be finite, got " + te + " / " + unet);
    }
  }

  /** {@code FILE:TE:UNET}, as {@link #parse} reads it. */
  @Override
  public String toString() {
    return file + ":" + teMultiplier + ":" + unetMultiplier;
  }
}
