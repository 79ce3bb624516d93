package io.github.ldm4j.demo;

import java.util.Locale;

/** The four shapes of the dataset, with their CLIP token ids (facts §5). */
public enum ShapeKind {
  /** A disc of diameter 0.6·S; token {@code circle</w>} = 7117. */
  CIRCLE(7117),
  /** An axis-aligned square of side 0.6·S; token {@code square</w>} = 3999. */
  SQUARE(3999),
  /** An upward isosceles triangle, base and height 0.6·S; token {@code triangle</w>} = 14615. */
  TRIANGLE(14615),
  /** A plus sign, arms 0.6·S long and 0.2·S thick; token {@code cross</w>} = 3417. */
  CROSS(3417);

  private final int tokenId;

  ShapeKind(int tokenId) {
    this.tokenId = tokenId;
  }

  /** The prompt word, e.g. {@code circle}. */
  public String word() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The CLIP token id of the word (a single token). */
  public int tokenId() {
    return tokenId;
  }

  /**
   * Whether the point (dx, dy), relative to the image centre in units of the image size (so the
   * image spans −0.5..0.5, y pointing down), lies inside the shape.
   */
  boolean contains(double dx, double dy) {
    double ax = Math.abs(dx);
    double ay = Math.abs(dy);
    return switch (this) {
      case CIRCLE -> dx * dx + dy * dy <= 0.3 * 0.3;
      case SQUARE -> ax <= 0.3 && ay <= 0.3;
      case TRIANGLE -> dy >= -0.3 && dy <= 0.3 && ax <= 0.5 * (dy + 0.3);
      case CROSS -> (ax <= 0.1 && ay <= 0.3) || (ay <= 0.1 && ax <= 0.3);
    };
  }
}
