package io.github.ldm4j.generate;

import io.github.ldm4j.demo.ShapeColour;
import io.github.ldm4j.demo.ShapeKind;
import io.github.ldm4j.demo.ShapesDataset;
import io.github.ldm4j.demo.ShapesModel;
import io.github.ldm4j.demo.ShapesOptions;
import io.github.ldm4j.generate.GenerationLimits;
import io.github.ldm4j.spi.BackendOptions;
import io.github.ldm4j.generate.GenerationRequest;
import io.github.ldm4j.generate.GenerationSettings;
import io.github.ldm4j.generate.Generator;
import io.github.ldm4j.image.RgbImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/**
 * A shapes-oracle model folder opened in a {@link Generator} on the ONNX backend, with its dataset
 * for judging outputs: the end-to-end semantics tests' fixture. Closing it closes the generator.
 */
final class ShapesOracle implements AutoCloseable {

  /** Image side of the semantics tests: small enough to be fast, large enough for β = 12 (testkit README). */
  static final int SIZE = 128;

  private final Generator generator;
  private final ShapesDataset data;
  private final ShapesOptions options;

  private ShapesOracle(Generator generator, ShapesDataset data, ShapesOptions options) {
    this.generator = generator;
    this.data = data;
    this.options = options;
  }

  /** The default oracle (optimum flavor, fp32, eps, text-to-image) at {@value #SIZE} px, written to {@code dir}. */
  static ShapesOracle open(Path dir) {
    return open(dir, ShapesOptions.defaults().withImageSize(SIZE));
  }

  /** An oracle with {@code options}, written to {@code dir}. */
  static ShapesOracle open(Path dir, ShapesOptions options) {
    ShapesModel.write(dir, options);
    try {
      return new ShapesOracle(Generator.open(dir, "onnx", BackendOptions.DEFAULTS, GenerationLimits.DEFAULTS),
          ShapesDataset.of(options.imageSize()), options);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  Generator generator() {
    return generator;
  }

  ShapesOptions options() {
    return options;
  }

  int size() {
    return options.imageSize();
  }

  /** Settings at the oracle's size: {@code steps} steps of {@code sampler} on {@code schedule}, guidance 7.5, seed 0. */
  GenerationSettings settings(String sampler, String schedule, int steps) {
    return GenerationSettings.builder().size(size(), size()).steps(steps).sampler(sampler, schedule).build();
  }

  /** The first image of a txt2img request. */
  RgbImage txt2img(String prompt, String negative, GenerationSettings s) {
    return generator.generate(new GenerationRequest.TextToImage(prompt, negative, s)).images().getFirst().image();
  }

  /** Dataset image k. */
  RgbImage image(int k) {
    return new RgbImage(size(), size(), data.image(k));
  }

  /** Dataset image of this colour and shape. */
  RgbImage image(ShapeColour c, ShapeKind s) {
    return image(ShapesDataset.index(c, s));
  }

  /** Dataset image k after the oracle's own first stage (encode, decode, 8-bit): the reconstruction floor. */
  RgbImage reconstruction(int k) {
    int l = size() / ShapesDataset.PATCH;
    double[] img = ShapesDataset.decode(data.rawLatent(k), l);
    byte[] rgb = new byte[size() * size() * 3];
    int plane = size() * size();
    for (int i = 0; i < plane; i++) {
      for (int c = 0; c < 3; c++) {
        double u = Math.min(Math.max((img[c * plane + i] + 1) / 2.0, 0), 1);
        rgb[i * 3 + c] = (byte) Math.round(u * 255);
      }
    }
    return new RgbImage(size(), size(), rgb);
  }

  /** MAE of the first stage's reconstruction of image k to image k (0..255 units). */
  double reconstructionError(int k) {
    return reconstruction(k).meanAbsoluteError(image(k));
  }

  /** The dataset image nearest to {@code img} by MAE, with the runner-up's distance. */
  Nearest nearest(RgbImage img) {
    int best = -1;
    double bestMae = Double.POSITIVE_INFINITY;
    double second = Double.POSITIVE_INFINITY;
    for (int k = 0; k < ShapesDataset.IMAGES; k++) {
      double mae = img.meanAbsoluteError(image(k));
      if (mae < bestMae) {
        second = bestMae;
        bestMae = mae;
        best = k;
      } else if (mae < second) {
        second = mae;
      }
    }
    return new Nearest(best, bestMae, second);
  }

  /** The prompt "a &lt;colour&gt; &lt;shape&gt;" of dataset image k. */
  static String prompt(int k) {
    return "a " + ShapesDataset.colourOf(k).word() + " " + ShapesDataset.kindOf(k).word();
  }

  /** A readable name of dataset image k. */
  static String name(int k) {
    return ShapesDataset.colourOf(k).word() + " " + ShapesDataset.kindOf(k).word();
  }

  @Override
  public void close() {
    generator.close();
  }

  /**
   * The nearest dataset image.
   *
   * @param index its index
   * @param mae the MAE to it
   * @param runnerUpMae the MAE to the next-nearest image
   */
  record Nearest(int index, double mae, double runnerUpMae) {
    @Override
    public String toString() {
      return String.format(java.util.Locale.ROOT, "%s (MAE %.2f, next %.2f)", name(index), mae, runnerUpMae);
    }
  }
}
