package io.github.ldm4j.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.ldm4j.image.RgbImage;

/** Colour checks of decoded images (the shapes dataset: shape colours on a light grey background). */
final class Pngs {

  private Pngs() {}

  /** Asserts the centre pixel is dominated by {@code channel} (0 red, 1 green, 2 blue) and the corners are light grey. */
  static void assertShapeColour(RgbImage img, int channel) {
    int cx = img.width() / 2;
    int cy = img.height() / 2;
    for (int c = 0; c < 3; c++) {
      if (c == channel) {
        assertThat(img.channel(cx, cy, c)).as("centre channel %d", c).isGreaterThan(150);
      } else {
        assertThat(img.channel(cx, cy, c)).as("centre channel %d", c).isLessThan(110);
      }
    }
    int[][] corners = {{4, 4}, {img.width() - 5, 4}, {4, img.height() - 5}, {img.width() - 5, img.height() - 5}};
    for (int[] xy : corners) {
      for (int c = 0; c < 3; c++) {
        assertThat(img.channel(xy[0], xy[1], c)).as("corner %d,%d channel %d", xy[0], xy[1], c).isGreaterThan(180);
      }
    }
  }
}
