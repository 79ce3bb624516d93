package io.github.ldm4j.generate;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.ldm4j.demo.ShapeColour;
import io.github.ldm4j.demo.ShapeKind;
import io.github.ldm4j.demo.ShapesDataset;
import io.github.ldm4j.demo.ShapesModel;
import io.github.ldm4j.demo.ShapesOptions;
import io.github.ldm4j.generate.GenerationLimits;
import io.github.ldm4j.spi.BackendOptions;
import io.github.ldm4j.generate.GenerationRequest;
import io.github.ldm4j.generate.GenerationResult;
import io.github.ldm4j.generate.GenerationSettings;
import io.github.ldm4j.generate.Generator;
import io.github.ldm4j.image.RgbImage;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ShapesSmokeTest {

  @TempDir Path dir;

  @Test
  void aRedCircle() throws Exception {
    int size = 128;
    ShapesModel.write(dir, ShapesOptions.defaults().withImageSize(size));
    try (Generator g = Generator.open(dir, "onnx", BackendOptions.DEFAULTS, GenerationLimits.DEFAULTS)) {
      GenerationSettings s = GenerationSettings.builder().size(size, size).steps(20).sampler("euler", "karras").build();
      GenerationResult r = g.generate(new GenerationRequest.TextToImage("a red circle", "", s));
      RgbImage img = r.images().getFirst().image();
      ShapesDataset data = ShapesDataset.of(size);
      RgbImage expected = new RgbImage(size, size, data.image(ShapesDataset.index(ShapeColour.RED, ShapeKind.CIRCLE)));
      double mae = img.meanAbsoluteError(expected);
      System.out.println("MAE " + mae + " " + r.images().getFirst().parameters());
      assertThat(mae).isLessThan(10);
    }
  }
}
