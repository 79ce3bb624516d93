package io.github.ldm4j.generate.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.ldm4j.generate.internal.Resampling.Kernel;
import io.github.ldm4j.image.RgbImage;
import io.github.ldm4j.tensor.Tensor;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/**
 * Golden values from torch 1.13.1 {@code F.interpolate} and Pillow 9.4.0 {@code Image.resize} (Debian
 * python3-torch / python3-pil), made by {@code generate/src/test/python/hires_resample_golden.py}.
 */
class ResamplingTest {

  private static String read(String name) throws IOException {
    try (InputStream in = ResamplingTest.class.getResourceAsStream("/golden/hires/" + name)) {
      assertThat(in).as(name).isNotNull();
      return new String(in.readAllBytes(), StandardCharsets.US_ASCII);
    }
  }

  private static Tensor tensor(String name) throws IOException {
    String[] lines = read(name).strip().split("\n");
    int[] dims = Arrays.stream(lines[0].trim().split(" ")).mapToInt(Integer::parseInt).toArray();
    float[] v = new float[lines.length - 1];
    for (int i = 1; i < lines.length; i++) {
      v[i - 1] = Float.parseFloat(lines[i]);
    }
    return Tensor.of(v, dims);
  }

  private static RgbImage image(String name) throws IOException {
    String[] lines = read(name).strip().split("\n");
    String[] wh = lines[0].trim().split(" ");
    String[] px = lines[1].trim().split(" ");
    byte[] rgb = new byte[px.length];
    for (int i = 0; i < px.length; i++) {
      rgb[i] = (byte) Integer.parseInt(px[i]);
    }
    return new RgbImage(Integer.parseInt(wh[0]), Integer.parseInt(wh[1]), rgb);
  }

  @ParameterizedTest(name = "{0} to {1}x{2}")
  @CsvSource({
    "latent, 10, 12", "latent, 8, 9", "latent, 5, 6",
    "latent_antialiased, 10, 12", "latent_antialiased, 8, 9", "latent_antialiased, 5, 6",
    "latent_bicubic, 10, 12", "latent_bicubic, 8, 9", "latent_bicubic, 5, 6",
    "latent_bicubic_antialiased, 10, 12", "latent_bicubic_antialiased, 8, 9", "latent_bicubic_antialiased, 5, 6",
    "latent_nearest, 10, 12", "latent_nearest, 8, 9", "latent_nearest, 5, 6",
    "latent_nearest_exact, 10, 12", "latent_nearest_exact, 8, 9", "latent_nearest_exact, 5, 6",
  })
  void latentModesMatchTorch(String mode, int h, int w) throws IOException {
    Tensor in = tensor("latent_input.txt");
    Tensor expected = tensor(mode + "_" + h + "x" + w + ".txt");
    Kernel kernel = mode.contains("bicubic") ? Kernel.BICUBIC
        : mode.contains("nearest_exact") ? Kernel.NEAREST_EXACT
        : mode.contains("nearest") ? Kernel.NEAREST : Kernel.BILINEAR;
    Tensor out = Resampling.interpolate(in, h, w, kernel, mode.endsWith("antialiased"));
    assertThat(out.shape()).isEqualTo(expected.shape());
    float[] a = out.toArray();
    float[] e = expected.toArray();
    for (int i = 0; i < e.length; i++) {
      assertThat(a[i]).as("%s %dx%d element %d", mode, h, w, i).isCloseTo(e[i], org.assertj.core.data.Offset.offset(2e-6f));
    }
  }

  @ParameterizedTest(name = "{0} to {1}x{2}")
  @CsvSource({"lanczos, 14, 10", "lanczos, 11, 8", "lanczos, 7, 5", "nearest, 14, 10", "nearest, 11, 8", "nearest, 7, 5"})
  void imageModesMatchPillowExactly(String mode, int w, int h) throws IOException {
    RgbImage in = image("rgb_input.txt");
    RgbImage expected = image(mode + "_" + w + "x" + h + ".txt");
    RgbImage out = mode.equals("lanczos") ? Resampling.lanczos(in, w, h) : Resampling.nearest(in, w, h);
    assertThat(out).isEqualTo(expected);
  }

  @Test
  void refusesBadArguments() {
    Tensor x = Tensor.zeros(1, 1, 2, 2);
    assertThatThrownBy(() -> Resampling.interpolate(x, 0, 4, Kernel.BILINEAR, false))
        .hasMessageContaining("output size must be positive");
    assertThatThrownBy(() -> Resampling.interpolate(x, 4, 4, Kernel.NEAREST, true))
        .hasMessageContaining("antialias applies to bilinear and bicubic only");
    assertThatThrownBy(() -> Resampling.interpolate(Tensor.zeros(2, 2), 4, 4, Kernel.BILINEAR, false))
        .hasMessageContaining("[N, C, H, W]");
  }
}
