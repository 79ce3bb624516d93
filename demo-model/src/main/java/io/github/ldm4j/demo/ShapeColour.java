package io.github.ldm4j.demo;

import java.util.Locale;

/** The four colours of the shapes dataset, with their sRGB values and CLIP token ids (facts §5). */
public enum ShapeColour {
  /** (220, 40, 40), token {@code red</w>} = 736. */
  RED(220, 40, 40, 736),
  /** (40, 170, 60), token {@code green</w>} = 1901. */
  GREEN(40, 170, 60, 1901),
  /** (40, 80, 220), token {@code blue</w>} = 1746. */
  BLUE(40, 80, 220, 1746),
  /** (235, 200, 40), token {@code yellow</w>} = 4481. */
  YELLOW(235, 200, 40, 4481);

  private final int r;
  private final int g;
  private final int b;
  private final int tokenId;

  ShapeColour(int r, int g, int b, int tokenId) {
    this.r = r;
    this.g = g;
    this.b = b;
    this.tokenId = tokenId;
  }

  /** Channel value 0..255 of channel {@code c} (0 = R, 1 = G, 2 = B). */
  public int channel(int c) {
    return switch (c) {
      case 0 -> r;
      case 1 -> g;
      case 2 -> b;
      default -> throw new IllegalArgumentException("channel must be 0, 1 or 2, got " + c);
    };
  }

  /** The prompt word, e.g. {@code red}. */
  public String word() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The CLIP token id of the word (a single token). */
  public int tokenId() {
    return tokenId;
  }
}
