package io.github.ldm4j.generate;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.ldm4j.demo.ShapeColour;
import io.github.ldm4j.demo.ShapeKind;
import io.github.ldm4j.demo.ShapesDataset;
import io.github.ldm4j.demo.ShapesOptions;
import io.github.ldm4j.generate.GenerationLimits;
import io.github.ldm4j.spi.BackendOptions;
import io.github.ldm4j.generate.GenerationRequest;
import io.github.ldm4j.generate.GenerationSettings;
import io.github.ldm4j.generate.Generator;
import io.github.ldm4j.image.RgbImage;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Tiled VAE decoding, end to end: above {@link GenerationLimits#tiledDecodeAbovePixels} the
 * generator decodes in overlapping 64-latent tiles. The oracle's decoder is local to each 8×8
 * patch, so the blended tiles must reproduce the whole decode. 576 px (a 72-latent side, two tiles
 * per axis) is the smallest oracle size that tiles; β is the default scaled one (243) for the
 * terminal-ᾱ reason in the testkit README.
 */
class TiledDecodeSemanticsTest {

  private static final int SIZE = 576;

  @TempDir Path dir;

  @Test
  void tiledDecodeEqualsTheWholeDecode() throws Exception {
    GenerationLimits tiled = new GenerationLimits(2048, 2048, 4L << 20, 500, 16, 64);
    try (ShapesOracle whole = ShapesOracle.open(dir, ShapesOptions.defaults().withImageSize(SIZE));
        Generator tiling = Generator.open(dir, "onnx", BackendOptions.DEFAULTS, tiled)) {
      assertThat((long) SIZE * SIZE).isLessThanOrEqualTo(GenerationLimits.DEFAULTS.tiledDecodeAbovePixels());
      GenerationSettings s = whole.settings("dpmpp_2m", "karras", 10);
      GenerationRequest r = new GenerationRequest.TextToImage("a blue cross", "", s);
      RgbImage expected = whole.generator().generate(r).images().getFirst().image();
      RgbImage actual = tiling.generate(r).images().getFirst().image();
      assertThat(VariantSemanticsTest.maxDifference(actual, expected)).isLessThanOrEqualTo(1);
      int blueCross = ShapesDataset.index(ShapeColour.BLUE, ShapeKind.CROSS);
      ShapesOracle.Nearest n = whole.nearest(actual);
      assertThat(n.index()).isEqualTo(blueCross);
      assertThat(n.mae()).isLessThanOrEqualTo(whole.reconstructionError(blueCross) + OracleSampler.DPMPP_2M.margin());
    }
  }
}
