package io.github.ldm4j.model;

import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * The spatial size a network input is fixed at by its declaration: an exported graph whose
 * {@code [B, C, h, w]} input declares a static {@code h} or {@code w} runs on that size only. A
 * dimension declared dynamic is unconstrained ({@link #height()} or {@link #width()} empty).
 *
 * @param input the input's name ({@code sample}, {@code latent_sample}, …)
 * @param declaredShape the declared dimensions, −1 for dynamic ones (rank 4)
 */
public record FixedSize(String input, long[] declaredShape) {

  /** Validates and copies. */
  public FixedSize {
    Objects.requireNonNull(input, "input");
    declaredShape = declaredShape.clone();
    if (declaredShape.length != 4 || (declaredShape[2] <= 0 && declaredShape[3] <= 0)) {
      throw new IllegalArgumentException(
          "a fixed size needs a rank-4 shape with a static height or width, got " + Arrays.toString(declaredShape));
    }
  }

  /**
   * The fixed size of a declared {@code [B, C, h, w]} input; empty when its rank is not 4 or both
   * spatial dimensions are dynamic (≤ 0).
   */
  public static Optional<FixedSize> of(String input, long[] declaredShape) {
    if (declaredShape.length != 4 || (declaredShape[2] <= 0 && declaredShape[3] <= 0)) {
      return Optional.empty();
    }
    return Optional.of(new FixedSize(input, declaredShape));
  }

  @Override
  public long[] declaredShape() {
    return declaredShape.clone();
  }

  /** The fixed height, if declared static. */
  public OptionalInt height() {
    return declaredShape[2] > 0 ? OptionalInt.of((int) declaredShape[2]) : OptionalInt.empty();
  }

  /** The fixed width, if declared static. */
  public OptionalInt width() {
    return declaredShape[3] > 0 ? OptionalInt.of((int) declaredShape[3]) : OptionalInt.empty();
  }

  /** Whether an input of {@code height} × {@code width} agrees with the fixed dimensions. */
  public boolean accepts(int height, int width) {
    return height().orElse(height) == height && width().orElse(width) == width;
  }

  /** The declared shape with dynamic dimensions as {@code ?}: {@code [?, 4, 64, 64]}. */
  public String describe() {
    StringBuilder b = new StringBuilder("[");
    for (int i = 0; i < declaredShape.length; i++) {
      b.append(i == 0 ? "" : ", ").append(declaredShape[i] > 0 ? Long.toString(declaredShape[i]) : "?");
    }
    return b.append(']').toString();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof FixedSize f && input.equals(f.input) && Arrays.equals(declaredShape, f.declaredShape);
  }

  @Override
  public int hashCode() {
    return input.hashCode() * 31 + Arrays.hashCode(declaredShape);
  }

  @Override
  public String toString() {
    return input + describe();
  }
}
